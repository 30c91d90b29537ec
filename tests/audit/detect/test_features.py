"""Features: the word TF-IDF equals scikit-learn's; character blocks add up to the training vector."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from audit.detect.features import Featurizer, WordNgrams, char_blocks, char_counts
from audit.detect.model import load_corpus

TEXTS = [r["text"] for r in load_corpus()[:600]]


def test_word_tfidf_equals_scikit_learn():
    train, test = TEXTS[:400], [*TEXTS[400:], "", "Ça coûte 4,99 € 😀", "new words only zzz"]
    reference = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    reference.fit(train)
    mine = WordNgrams().fit(train)
    order = [mine.vocabulary[t] for t in reference.get_feature_names_out()]
    assert len(order) == len(mine.vocabulary)
    expected = reference.transform(test).toarray()
    assert np.allclose(mine.transform(test).toarray()[:, order], expected)


def test_character_ngrams_stay_inside_each_text():
    # " ab " has 3 + 2 + 1 n-grams of sizes 2..4; "abcd" -> " abcd " has 5 + 4 + 3 + 2
    assert char_counts(["ab", "cd"]).sum() == 12
    assert char_counts(["abcd"]).sum() == 14
    separate = char_counts(["ab"]).toarray() + char_counts(["cd"]).toarray()
    together = char_counts(["ab", "cd"]).toarray().sum(axis=0)
    assert np.array_equal(separate.ravel(), together)
    assert all(np.all(np.diff(rows) >= 0) for rows, _ in char_blocks(TEXTS[:50]))


def test_blocks_sum_to_the_training_matrix_and_rows_are_unit_length():
    featurizer = Featurizer().fit(TEXTS[:300])
    batch = [*TEXTS[300:], "", "😀"]
    words, blocks = featurizer.transform_parts(batch)
    chars = sum(b.toarray() for b in blocks)
    full = featurizer.transform(batch).toarray()
    assert np.allclose(full, np.hstack([words.toarray(), chars]))
    # normalised by occurrences: exactly 1 without repeated n-grams, a little more with them
    norms = np.linalg.norm(chars[:-2], axis=1)
    assert np.all((norms >= 1.0 - 1e-9) & (norms < 2.0))
    single = sum(b.toarray() for b in featurizer.char_features(["xq"]))
    assert np.isclose(np.linalg.norm(single), 1.0)
    assert not words.toarray()[-2].any()
