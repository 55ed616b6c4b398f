// Channel names as users type them (issue: `--channels C3,Cz,C4` failed on PhysioNet's padded
// labels "C3.." and suggested "Fc3."): canonical labels, unique canonical matches, ambiguity
// listed, and suggestions ranked by the canonical edit distance.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "qneuro/core/error.hpp"
#include "qneuro/io/recording.hpp"

namespace qneuro::io {
namespace {

// The first labels of ../shared/data/eegmmidb/S001R04.edf, as that file spells them.
const std::vector<std::string> kPhysionet = {"Fc5.", "Fc3.", "Fc1.", "Fcz.", "Fc2.",
                                             "Fc4.", "Fc6.", "C5..", "C3..", "C1..",
                                             "Cz..", "C2..", "C4..", "C6.."};

TEST(ChannelLabels, CanonicalFormDropsPaddingCasePrefixAndReference) {
  EXPECT_EQ(canonical_channel_label("C3.."), "c3");
  EXPECT_EQ(canonical_channel_label("Fcz."), "fcz");
  EXPECT_EQ(canonical_channel_label(" EEG C3-REF "), "c3");
  EXPECT_EQ(canonical_channel_label("EEG-Fp1"), "fp1");
  EXPECT_EQ(canonical_channel_label("EEG_O2-LE"), "o2");
  EXPECT_EQ(canonical_channel_label("C4-M1"), "c4");
  EXPECT_EQ(canonical_channel_label("Cz-A1A2"), "cz");
  // Bipolar derivations and non-EEG names keep what distinguishes them.
  EXPECT_EQ(canonical_channel_label("Fp1-F7"), "fp1-f7");
  EXPECT_EQ(canonical_channel_label("EEG"), "eeg");
  EXPECT_EQ(canonical_channel_label("EOG-L"), "eog-l");
}

TEST(ChannelLabels, PaddedPhysionetLabelsAreFoundByTheirNames) {
  ChannelSelection sel;
  sel.names = {"C3", "cz", "C4"};
  const auto idx = select_channels(kPhysionet, sel, "S001R04.edf");
  ASSERT_EQ(idx.size(), 3u);
  EXPECT_EQ(kPhysionet[idx[0]], "C3..");
  EXPECT_EQ(kPhysionet[idx[1]], "Cz..");
  EXPECT_EQ(kPhysionet[idx[2]], "C4..");
  // An exact label still wins.
  sel.names = {"Fc3."};
  EXPECT_EQ(kPhysionet[select_channels(kPhysionet, sel, "f").at(0)], "Fc3.");
}

TEST(ChannelLabels, AmbiguousNamesAreRefusedWithTheCandidates) {
  const std::vector<std::string> labels = {"EEG C3-REF", "C3-LE", "Cz"};
  ChannelSelection sel;
  sel.names = {"C3"};
  try {
    (void)select_channels(labels, sel, "rec.edf");
    FAIL() << "an ambiguous name was accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("ambiguous"), std::string::npos) << m;
    EXPECT_NE(m.find("'EEG C3-REF'"), std::string::npos) << m;
    EXPECT_NE(m.find("'C3-LE'"), std::string::npos) << m;
  }
}

TEST(ChannelLabels, SuggestionsRankTheNearestCanonicalLabelFirst) {
  // "C3" is found now; a typo such as "C33" must suggest C3.. before Fc3. (both are one edit
  // away from "c33" in raw labels; canonically c3 is one deletion, fc3 a substitution + more).
  const auto near = suggest_channels("C33", kPhysionet);
  ASSERT_FALSE(near.empty());
  EXPECT_EQ(near.front(), "C3..");
  ChannelSelection sel;
  sel.names = {"C7"};
  try {
    (void)select_channels(kPhysionet, sel, "S001R04.edf");
    FAIL() << "a missing channel was accepted";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("no channel named 'C7'"), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean 'C5..'"), std::string::npos) << m;
  }
  EXPECT_TRUE(suggest_channels("Oz", {"Fp1", "Fp2"}).empty());
}

}  // namespace
}  // namespace qneuro::io
