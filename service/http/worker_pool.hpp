#pragma once
// A pool of POCO worker threads that serve HTTP connections handed to it one by one (by the
// RequestGate), instead of accepting them itself: POCO's TCPServerDispatcher with an
// HTTPServerConnectionFactory, on a thread pool of its own. Thread-safe.

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <string>

namespace hd::service::http {

class WorkerPool {
 public:
  // `params` sets the threads (getMaxThreads), the queue (getMaxQueued), timeouts and keep-alive.
  WorkerPool(const std::string& name, Poco::Net::HTTPServerParams::Ptr params,
             Poco::Net::HTTPRequestHandlerFactory::Ptr handlers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a connection whose request has arrived; false (connection not taken) when the queue
  // is full.
  bool offer(const Poco::Net::StreamSocket& socket);
  void stop();  // takes no more connections; running ones finish (or are aborted by the caller)
  void join();  // waits for every thread

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::ThreadPool threads_;
  Poco::Net::TCPServerDispatcher* dispatcher_;  // reference-counted by POCO
};

}  // namespace hd::service::http
