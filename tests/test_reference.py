"""ascnb.reference: the PB-CNN paper's inconsistencies computed from the transcription"""

from __future__ import annotations

from ascnb.reference import (as_clip_fraction, fold_clip_fractions, fold_clip_summary,
                             pbcnn_table2_against_table3)


def test_a_fold_accuracy_is_read_as_correct_clips_over_test_clips():
    assert as_clip_fraction(85.862) == "249/290"
    assert as_clip_fraction(87.435) == "341/390"  # 87.4359 truncated, not rounded
    assert as_clip_fraction(86.282) == "—"        # an average is no fold
    assert as_clip_fraction(85.862, test_clips=(390,)) == "—"


def test_table2_counts_390_clips_but_fbcnn_fold3():
    fractions = fold_clip_fractions("pbcnn", "table2_models")
    assert list(fractions.index) == ["fold1", "fold2", "fold3", "fold4"]
    assert fractions.loc["fold3", "FB-CNN"] == "250/290"
    assert (fractions.drop(columns="FB-CNN") != "—").all().all()
    assert "FB-CNN fold 3 (250/290)" in fold_clip_summary("pbcnn", "table2_models", "Table 2")
    assert fold_clip_summary("pbcnn", "table1_mel_bands", "Table 1").startswith("Every one")


def test_table3_overlap_agrees_with_table2_for_pbcnn_only():
    frame = pbcnn_table2_against_table3()
    assert list(frame.index[frame["agree"]]) == ["PB-CNN"]
    assert (frame["Table 2, average"] == frame["Table 2, mean of its folds"]).all()
