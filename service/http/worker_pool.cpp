#include "service/http/worker_pool.hpp"

#include <Poco/Net/HTTPServerConnectionFactory.h>

namespace hd::service::http {

WorkerPool::WorkerPool(const std::string& name, Poco::Net::HTTPServerParams::Ptr params,
                       Poco::Net::HTTPRequestHandlerFactory::Ptr handlers)
    : params_(params),
      // One spare: the dispatcher runs its threads on this pool and nothing else does.
      threads_(name, 1, params->getMaxThreads() + 1),
      dispatcher_(new Poco::Net::TCPServerDispatcher(
          new Poco::Net::HTTPServerConnectionFactory(params, handlers), threads_, params)) {}

WorkerPool::~WorkerPool() {
  stop();
  join();
  dispatcher_->release();
}

bool WorkerPool::offer(const Poco::Net::StreamSocket& socket) {
  if (dispatcher_->queuedConnections() >= params_->getMaxQueued()) return false;
  dispatcher_->enqueue(socket);
  return true;
}

void WorkerPool::stop() {
  dispatcher_->stop();
}

void WorkerPool::join() {
  threads_.joinAll();
}

}  // namespace hd::service::http
