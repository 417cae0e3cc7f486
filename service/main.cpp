#include "service/application.hpp"

int main(int argc, char** argv) {
  return hd::service::Application::runMain(argc, argv);
}
