// Something that runs tasks on its own thread: an event loop, in practice.
#pragma once

#include <functional>

namespace fourdollar {

class Executor {
 public:
  virtual ~Executor() = default;
  // Queues `task` to run on the executor's thread. Thread-safe; never blocks for long.
  // Tasks posted after the executor stopped are destroyed without running.
  virtual void Post(std::function<void()> task) = 0;
};

}  // namespace fourdollar
