#include "qneuro/snn/qlif_neuron.hpp"

#include "qneuro/core/denormals.hpp"

namespace qneuro::snn {

void run_neuron_sequences(const StepConstants<float>& c, const NeuronSequenceArgs& a,
                          NeuronState<float>* states) {
  const auto total = static_cast<long long>(a.B * a.N);
  dispatch_neuron_sequence(c, a.mod != nullptr,
                           [&]<Mode M, QuantumMap Map, bool HasMod, bool MultiShot>() {
#pragma omp parallel
                             {
                               const DenormalGuard ftz(true);
#pragma omp for schedule(static)
                               for (long long i = 0; i < total; ++i) {
                                 const auto idx = static_cast<std::size_t>(i);
                                 qlif_neuron_sequence<M, Map, HasMod, MultiShot>(
                                     c, a, idx / a.N, idx % a.N, states[idx]);
                               }
                             }
                           });
}

}  // namespace qneuro::snn
