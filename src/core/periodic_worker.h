// A background thread that runs one task at a fixed period until stopped; stopping wakes it at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace khien {

/// Services that age state, check deadlines or watch files on a clock own one of these. The task
/// runs without the worker's lock held, so stop() waits at most for the task in progress.
class PeriodicWorker {
 public:
  PeriodicWorker() = default;
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;
  ~PeriodicWorker() { stop(); }

  /// Starts the thread: `task` first runs one `period` from now. Does nothing when already running.
  void start(std::chrono::milliseconds period, std::function<void()> task) {
    if (thread_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      stopping_ = false;
    }
    thread_ = std::thread([this, period, task = std::move(task)] {
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, period, [this] { return stopping_; })) {
        lock.unlock();
        task();
        lock.lock();
      }
    });
  }

  /// Wakes the thread and joins it; safe to call when not running and more than once.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace khien
