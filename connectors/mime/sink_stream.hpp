#pragma once
// A write-only GMimeStream that hands each piece GMime writes to a C++ function, so a content
// goes where we choose (a spill file, a bounded string) while GMime writes it, and never sits
// whole in a GMime memory stream. Internal to connectors/mime.

#include <exception>
#include <functional>
#include <memory>
#include <string_view>

#include "connectors/mime/gmime_support.hpp"

namespace hd::mime {

class SinkStream {
 public:
  // `consume` returns false to stop: that write, and so GMime's whole write, fails.
  explicit SinkStream(std::function<bool(std::string_view)> consume);
  ~SinkStream();
  SinkStream(const SinkStream&) = delete;
  SinkStream& operator=(const SinkStream&) = delete;

  GMimeStream* get() const { return stream_.get(); }

  // An exception `consume` threw never unwinds through GMime's C frames: the write fails, and
  // this rethrows it once GMime has returned.
  void rethrowFailure() const;

  struct State {
    std::function<bool(std::string_view)> consume;
    std::exception_ptr failure;
  };

 private:
  std::unique_ptr<State> state_;
  GPtr<GMimeStream> stream_;
};

}  // namespace hd::mime
