// SimGrid 3.32 live-migration plugin driver for bench/simgrid-compare.mjs: the same cases lmsim runs.
//   migrate HOSTS VMS MIGRATIONS RAM_MIB INTENSITY_PERCENT
// A star of HOSTS hosts (1 Gflop/s, 64 cores, a split-duplex 125 MB/s link each, no latency), VMS
// VMs of RAM_MIB spread over the hosts (VM i on host i % HOSTS; all on host 0 when HOSTS is 2), the
// first MIGRATIONS of them busy (one exec at full speed, dirty-page intensity INTENSITY_PERCENT of the
// 100 MiB/s migration speed) and migrated at t = 0 to the next host. Prints the sum and the maximum of
// the migration times and the end of the simulation.
// Build: g++ -O2 -std=c++17 bench/simgrid/migrate.cpp -o bench/simgrid/migrate -lsimgrid
#include <simgrid/plugins/live_migration.h>
#include <simgrid/s4u.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

static double total_time = 0, max_time = 0;
static int done = 0;

int main(int argc, char** argv)
{
  sg4::Engine e(&argc, argv);
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s HOSTS VMS MIGRATIONS RAM_MIB INTENSITY_PERCENT\n", argv[0]);
    return 2;
  }
  const int hosts = std::stoi(argv[1]), vms = std::stoi(argv[2]), migrations = std::stoi(argv[3]);
  const int ram = std::stoi(argv[4]), intensity = std::stoi(argv[5]);
  sg_vm_live_migration_plugin_init();

  auto* zone = sg4::create_star_zone("star");
  std::vector<sg4::Host*> pms;
  for (int i = 0; i < hosts; i++) {
    auto* h = zone->create_host("h" + std::to_string(i), 1e9)->set_core_count(64)->seal();
    auto* l = zone->create_split_duplex_link("l" + std::to_string(i), 1.25e8)->set_latency(0)->seal();
    zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {{l, sg4::LinkInRoute::Direction::UP}}, true);
    pms.push_back(h);
  }
  zone->seal();

  const bool one_link = hosts == 2;
  for (int i = 0; i < vms; i++) {
    sg4::Host* pm = pms[one_link ? 0 : i % hosts];
    bool busy = i < migrations;
    auto* vm = sg_vm_create_migratable(pm, ("vm" + std::to_string(i)).c_str(), 1, ram, 100, busy ? intensity : 0);
    vm->start();
    if (!busy) continue;
    sg4::Host* dst = pms[one_link ? 1 : (i + 1) % hosts];
    sg4::Actor::create("work" + std::to_string(i), vm, [] { sg4::this_actor::execute(1e18); });
    sg4::Actor::create("mig" + std::to_string(i), pm, [vm, dst] {
      double t0 = sg4::Engine::get_clock();
      sg_vm_migrate(vm, dst);
      double t = sg4::Engine::get_clock() - t0;
      total_time += t;
      if (t > max_time) max_time = t;
      done++;
      vm->destroy();
    });
  }
  e.run();
  std::printf("{\"migrations\": %d, \"sumTime\": %.9f, \"maxTime\": %.9f, \"end\": %.9f}\n", done, total_time, max_time, sg4::Engine::get_clock());
  return 0;
}
