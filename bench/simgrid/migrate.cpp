// SimGrid 3.32 live-migration plugin driver: the same cases lmsim runs (bench/simgrid-compare.mjs for
// speed, bench/simgrid-rows.mjs for the reference rows of test/simgrid-rows.test.ts).
//   migrate HOSTS VMS MIGRATIONS RAM_MIB INTENSITY_PERCENT [LATENCY_S [LAYOUT [SPEED_MIB [HORIZON_S [STAGGER_S]]]]]
// A star of HOSTS hosts (1 Gflop/s, 64 cores, a split-duplex 125 MB/s link each with latency
// LATENCY_S / 2, so a path host -> host has LATENCY_S), VMS VMs of RAM_MIB, the first MIGRATIONS of
// them busy (one exec at full speed, dirty-page intensity INTENSITY_PERCENT of the migration speed)
// and migrated with a migration speed of SPEED_MIB MiB/s (default 100), migration i at i x STAGGER_S
// (default 0: all at once). LAYOUT places them:
//   one-link  every VM on h0, migrated to h1 (the default when HOSTS is 2)
//   swap      VM i on h(i % 2), migrated to the other host (both directions of each NIC in use)
//   ring      VM i on h(i % HOSTS), migrated to the next host (the default otherwise)
//   mixed     3 hosts, h2's link 250 MB/s: VM i on h0 (i even) or h2 (i odd), migrated to h1 (routes
//             with different NICs share h1's link: LV08's weight-S weighs their shares)
// The network model is SimGrid's own flag (--cfg=network/model:CM02 or LV08). With HORIZON_S the
// simulation stops then: a migration still running has not converged ("never": SimGrid's own
// timeout is 10^7 s). Prints one JSON line: per migration its time, downtime (suspend to resume),
// stage-2 rounds started (sends on the plugin's data mailbox, less stages 1 and 3) and whether it completed,
// and the end of the simulation.
// Build: g++ -O2 -std=c++17 bench/simgrid/migrate.cpp -o bench/simgrid/migrate -lsimgrid
#include <simgrid/plugins/live_migration.h>
#include <simgrid/s4u.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

struct Record {
  double start = 0, time = -1, suspended = -1, resumed = -1;
  int sends = 0;
};
static std::map<std::string, Record> records; // by VM name

int main(int argc, char** argv)
{
  sg4::Engine e(&argc, argv);
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s HOSTS VMS MIGRATIONS RAM_MIB INTENSITY_PERCENT [LATENCY_S [LAYOUT [SPEED_MIB [HORIZON_S [STAGGER_S]]]]]\n", argv[0]);
    return 2;
  }
  const int hosts = std::stoi(argv[1]), vms = std::stoi(argv[2]), migrations = std::stoi(argv[3]);
  const int ram = std::stoi(argv[4]), intensity = std::stoi(argv[5]);
  const double latency = argc > 6 ? std::stod(argv[6]) : 0;
  const std::string layout = argc > 7 ? argv[7] : (hosts == 2 ? "one-link" : "ring");
  const int speed = argc > 8 ? std::stoi(argv[8]) : 100;
  const double horizon = argc > 9 ? std::stod(argv[9]) : -1;
  const double stagger = argc > 10 ? std::stod(argv[10]) : 0;
  if (layout != "one-link" && layout != "swap" && layout != "ring" && layout != "mixed") {
    std::fprintf(stderr, "LAYOUT: expected one-link, swap, ring or mixed, got %s\n", layout.c_str());
    return 2;
  }
  if (layout == "mixed" && hosts != 3) {
    std::fprintf(stderr, "LAYOUT mixed: expected 3 hosts, got %d\n", hosts);
    return 2;
  }
  sg_vm_live_migration_plugin_init();

  auto* zone = sg4::create_star_zone("star");
  std::vector<sg4::Host*> pms;
  for (int i = 0; i < hosts; i++) {
    auto* h = zone->create_host("h" + std::to_string(i), 1e9)->set_core_count(64)->seal();
    const double bandwidth = layout == "mixed" && i == 2 ? 2.5e8 : 1.25e8;
    auto* l = zone->create_split_duplex_link("l" + std::to_string(i), bandwidth)->set_latency(latency / 2)->seal();
    zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {{l, sg4::LinkInRoute::Direction::UP}}, true);
    pms.push_back(h);
  }
  zone->seal();

  // the plugin's data messages go to "__mbox_mig_src_dst:VM(SRC-DST)": one for stage 1, one per
  // stage-2 round, one for stage 3
  sg4::Comm::on_send_cb([](sg4::Comm const& c) {
    const std::string& box = c.get_mailbox()->get_name();
    const std::string prefix = "__mbox_mig_src_dst:";
    if (box.compare(0, prefix.size(), prefix) != 0) return;
    records[box.substr(prefix.size(), box.find('(') - prefix.size())].sends++;
  });
  sg4::VirtualMachine::on_suspend_cb([](sg4::VirtualMachine const& vm) { records[vm.get_name()].suspended = sg4::Engine::get_clock(); });
  sg4::VirtualMachine::on_resume_cb([](sg4::VirtualMachine const& vm) { records[vm.get_name()].resumed = sg4::Engine::get_clock(); });

  for (int i = 0; i < vms; i++) {
    int from = 0, to = 1;
    if (layout == "swap") from = i % 2, to = 1 - from;
    else if (layout == "ring") from = i % hosts, to = (i + 1) % hosts;
    else if (layout == "mixed") from = i % 2 == 0 ? 0 : 2, to = 1;
    sg4::Host* pm = pms[from];
    bool moving = i < migrations;
    const std::string name = "vm" + std::to_string(i);
    auto* vm = sg_vm_create_migratable(pm, name.c_str(), 1, ram, speed, moving ? intensity : 0);
    vm->start();
    if (!moving) continue;
    records[name].start = 0;
    sg4::Host* dst = pms[to];
    if (intensity > 0) sg4::Actor::create("work" + std::to_string(i), vm, [] { sg4::this_actor::execute(1e18); });
    const double at = i * stagger;
    sg4::Actor::create("mig" + std::to_string(i), pm, [vm, dst, name, at] {
      if (at > 0) sg4::this_actor::sleep_for(at);
      double t0 = sg4::Engine::get_clock();
      sg_vm_migrate(vm, dst);
      records[name].time = sg4::Engine::get_clock() - t0;
      vm->destroy();
    });
  }
  if (horizon > 0)
    e.run_until(horizon);
  else
    e.run();
  std::printf("{\"end\": %.9f, \"migrations\": [", sg4::Engine::get_clock());
  for (int i = 0; i < migrations; i++) {
    const Record& r = records["vm" + std::to_string(i)];
    double downtime = r.resumed >= 0 && r.suspended >= 0 ? r.resumed - r.suspended : -1;
    std::printf("%s{\"vm\": \"vm%d\", \"completed\": %s, \"time\": %.9f, \"downtime\": %.9f, \"rounds\": %d}", i ? ", " : "", i,
                r.time >= 0 ? "true" : "false", r.time, downtime, r.sends - (r.suspended >= 0 ? 2 : 1));
  }
  std::printf("]}\n");
  return 0;
}
