// The tunables that core itself reads, and the keys every path has. Other folders define their
// own next to the code that uses them.
#ifndef RINGCAST_CORE_SETTINGS_H_
#define RINGCAST_CORE_SETTINGS_H_

#include "core/tunables.h"

namespace ringcast::core {

void DefineCoreTunables(Registry& registry);
void DefinePathTunables(Registry& registry);
void DefineRtspTunables(Registry& registry);
void DefineWebrtcTunables(Registry& registry);

}  // namespace ringcast::core

#endif  // RINGCAST_CORE_SETTINGS_H_
