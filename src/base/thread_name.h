// Names the calling thread, as `top -H`, `ps -L`, /proc/PID/task/TID/comm and debuggers show it.
#pragma once

#include <string>

namespace fourdollar {

// Linux keeps at most 15 bytes of a thread's name: a longer one is cut to fit. Best effort: a
// name that cannot be set leaves the thread as it was (a name is for people, nothing reads it).
void NameThisThread(const std::string& name);

}  // namespace fourdollar
