"""How tests/data/agreement_reference.json was made (run once; not part of the test suite).

The figures are scikit-learn's `cohen_kappa_score` and NLTK's `AnnotationTask.alpha` on the
per-token labels of test_agreement.py's fixtures, labelled straight from the definition by
`reference_labels` (each token: the tags covering it, or "O"; per tag: covered or not). They are
kept as numbers so the tests need neither library (352 MB with scipy and numpy). To make them
again, in a throwaway venv:

    pip install -e . scikit-learn nltk pytest
    python tests/data/make_agreement_reference.py > tests/data/agreement_reference.json

Made with scikit-learn 1.x and NLTK 3.x (the versions are recorded in the file).
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nltk
import sklearn
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score
from test_agreement import FIXTURES, reference_labels


def nltk_alpha(labelled: dict[str, list[str]]) -> float:
    task = AnnotationTask(data=[(who, i, lab) for who, labels in labelled.items() for i, lab in enumerate(labels)])
    return task.alpha()


def main() -> None:
    figures = {}
    for name, layers in FIXTURES.items():
        for a, b in combinations(sorted(layers), 2):
            tags = sorted({ann.tag for layer in layers.values() for ann in layer})
            for tag in [None, *tags]:
                la, lb = reference_labels(layers[a], tag), reference_labels(layers[b], tag)
                if len(set(la) | set(lb)) < 2:
                    continue  # undefined for the libraries (nan): the edge-case tests cover these
                figures[f"{name}/{a}/{b}/{tag or '(overall)'}"] = {
                    "kappa": cohen_kappa_score(la, lb), "alpha": nltk_alpha({a: la, b: lb})}
        if len(layers) > 2:
            pooled = {w: reference_labels(layer) for w, layer in layers.items()}
            figures[f"{name}/pooled"] = {"alpha": nltk_alpha(pooled)}
    json.dump({"made_with": {"scikit-learn": sklearn.__version__, "nltk": nltk.__version__},
               "figures": figures}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
