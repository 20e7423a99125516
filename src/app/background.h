// A single worker thread running posted jobs in order, so a request can answer before slow or
// revealing work (an SMTP exchange, work that only happens for existing accounts) is done.
// Thread-safe. The destructor runs every job still queued, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace pm::app {

class BackgroundQueue {
 public:
  BackgroundQueue();
  ~BackgroundQueue();
  BackgroundQueue(const BackgroundQueue&) = delete;
  BackgroundQueue& operator=(const BackgroundQueue&) = delete;

  void Post(std::function<void()> job);
  // Blocks until every job posted before the call has run (tests).
  void DrainForTest();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                   // GUARDED_BY(mu_)
  int running_ = 0;                         // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace pm::app
