#include "core/drop_counter.h"

#include <algorithm>
#include <mutex>

#include "core/check.h"

namespace ringcast::core {
namespace {

// Function-local statics: counters in other translation units may register before anything
// in this one is initialised.
std::mutex& ListMutex() {
  static std::mutex mutex;
  return mutex;
}
std::vector<const DropCounter*>& List() {
  static std::vector<const DropCounter*> list;
  return list;
}

}  // namespace

DropCounter::DropCounter(std::string_view name, std::string_view help) : name_(name), help_(help) {
  std::lock_guard<std::mutex> lock(ListMutex());
  std::vector<const DropCounter*>& list = List();
  for (const DropCounter* other : list) CHECK(other->name() != name);
  list.push_back(this);
}

DropCounter::~DropCounter() {
  std::lock_guard<std::mutex> lock(ListMutex());
  std::erase(List(), this);
}

std::vector<const DropCounter*> AllDropCounters() {
  std::vector<const DropCounter*> all;
  {
    std::lock_guard<std::mutex> lock(ListMutex());
    all = List();
  }
  std::sort(all.begin(), all.end(),
            [](const DropCounter* a, const DropCounter* b) { return a->name() < b->name(); });
  return all;
}

const DropCounter* FindDropCounter(std::string_view name) {
  std::lock_guard<std::mutex> lock(ListMutex());
  for (const DropCounter* counter : List()) {
    if (counter->name() == name) return counter;
  }
  return nullptr;
}

}  // namespace ringcast::core
