// qneuro-torch: the subcommands that need LibTorch (flux *, snn train, snn bench-train). `qneuro`
// hands these over to it with the same arguments (torch_handover.hpp); it can also be run
// directly. Its help and messages name the program `qneuro`, as the user typed.
#include <torch/torch.h>

#include "cli_common.hpp"
#ifdef QNEURO_HAS_WEB
#include "cmd_serve.hpp"
#include "qneuro/flux/params.hpp"
#include "qneuro/web/flux_generate.hpp"
#endif
#include "qneuro/core/memory.hpp"
#include "qneuro/core/parallel.hpp"

int main(int argc, char** argv) {
  using namespace qneuro::cli;
  // Training steps allocate and free the same tensors every step: keep their pages mapped.
  qneuro::retain_freed_heap_memory();
  return run_main(
      argc, argv,
      [](CLI::App& app, GlobalOptions& global) {
        std::vector<Command> commands;
        // `snn` here only carries train and bench-train (qneuro's snn owns everything else).
        CLI::App* snn = app.add_subcommand("snn", "QLIF spiking networks: train, bench-train");
        snn->require_subcommand(1);
        snn->allow_extras();
        const Command train = register_snn_train(*snn, global);
        const Command bench = register_snn_bench_train(*snn, global);
        commands.push_back({snn, [train, bench]() -> int {
                              return train.app->parsed() ? train.run() : bench.run();
                            }});
        commands.push_back(register_flux(app, global));
#ifdef QNEURO_HAS_WEB
        commands.push_back(
            register_serve(app, global, qneuro::web::flux_generate, &qneuro::flux::flux_schema()));
#endif
        return commands;
      },
      [] { torch::set_num_threads(qneuro::parallel::max_threads()); });
}
