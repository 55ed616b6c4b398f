// Unigram and bigram count models: the floor a language model must beat (trainer.hpp).
#include <cmath>
#include <numbers>

#include "qneuro/core/error.hpp"
#include "qneuro/flux/trainer.hpp"

namespace qneuro::flux {

double count_model_bits(const std::vector<int64_t>& train, const std::vector<int64_t>& held_out,
                        int64_t vocab, int order, double alpha) {
  if (order != 1 && order != 2) throw InputError("count models have order 1 or 2");
  if (held_out.size() < 2 || train.size() < 2) {
    throw InputError("count models need at least 2 training and 2 held-out tokens");
  }
  const auto V = static_cast<std::size_t>(vocab);
  const std::size_t contexts = order == 1 ? 1 : V;
  std::vector<double> counts(contexts * V, 0.0), totals(contexts, 0.0);
  auto context_of = [&](const std::vector<int64_t>& ids, std::size_t i) {
    return order == 1 ? std::size_t{0} : static_cast<std::size_t>(ids[i - 1]);
  };
  for (std::size_t i = 1; i < train.size(); ++i) {
    const std::size_t c = context_of(train, i);
    counts[c * V + static_cast<std::size_t>(train[i])] += 1.0;
    totals[c] += 1.0;
  }
  // The same targets evaluate() scores: every held-out token after the first.
  double bits = 0;
  for (std::size_t i = 1; i < held_out.size(); ++i) {
    const std::size_t c = context_of(held_out, i);
    const double p = (counts[c * V + static_cast<std::size_t>(held_out[i])] + alpha) /
                     (totals[c] + alpha * static_cast<double>(V));
    bits -= std::log2(p);
  }
  return bits / static_cast<double>(held_out.size() - 1);
}

}  // namespace qneuro::flux
