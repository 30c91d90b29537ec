#!/usr/bin/env bash
# Checks of the reference assistant (run by `make assistant-check`, after training):
#   1. rasa data validate --fail-on-warnings
#   2. rasa test core on tests/test_stories.yml: every story must pass (through rasa_run.py, so
#      with the server's speed-ups installed)
#   3. rasa test nlu on the held-out set tests/nlu_heldout.yml: intent accuracy >= 0.90
#      (a held-out split rather than cross-validation, which would retrain five times)
#   4. pytest tests/ (offer engine, policies, skills, registry, and speedups/ against stock Rasa)
#      in the assistant env
# No network: telemetry off, nothing downloaded.
set -euo pipefail
cd "$(dirname "$0")"
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 PYTHONWARNINGS=ignore
ENV=../.venv-assistant
RASA=$ENV/bin/rasa
PY=$ENV/bin/python
MIN_ACCURACY=${MIN_ACCURACY:-0.90}

model=$("$PY" -c 'import train; print(train.model_path(train.data_hash()))')
if [ ! -f "$model" ]; then
  echo "error: no model for the current data ($model); run: $PY train.py" >&2
  exit 1
fi

echo "== rasa data validate"
"$RASA" data validate --fail-on-warnings --domain domain.yml --data data --config config.yml \
  > results.validate.log 2>&1 || { cat results.validate.log; echo "error: rasa data validate failed" >&2; exit 1; }
echo "ok"

echo "== rasa test core (tests/test_stories.yml)"
rm -rf results/core
"$PY" rasa_run.py test core --stories tests/test_stories.yml -m "$model" --out results/core \
  --fail-on-prediction-errors > results.core.log 2>&1 || {
  tail -30 results.core.log; cat results/core/failed_test_stories.yml 2>/dev/null || true
  echo "error: rasa test core: a test story failed" >&2; exit 1; }
"$PY" - <<'PY'
import json, sys
report = json.load(open("results/core/story_report.json"))
failed = open("results/core/failed_test_stories.yml").read().strip() if __import__("os").path.exists("results/core/failed_test_stories.yml") else ""
stories = open("tests/test_stories.yml").read().count("- story:")
print(f"{stories} stories, action accuracy {report['accuracy']:.3f}, weighted F1 {report['weighted avg']['f1-score']:.3f}")
if failed and "- story:" in failed:
    print(failed); sys.exit("error: some test stories failed")
PY

echo "== rasa test nlu (held-out set tests/nlu_heldout.yml)"
rm -rf results/nlu
"$RASA" test nlu --nlu tests/nlu_heldout.yml -m "$model" --out results/nlu > results.nlu.log 2>&1 || {
  tail -30 results.nlu.log; echo "error: rasa test nlu failed" >&2; exit 1; }
MIN_ACCURACY=$MIN_ACCURACY "$PY" - <<'PY'
import json, os, sys
report = json.load(open("results/nlu/intent_report.json"))
accuracy = report["accuracy"]
f1 = report["weighted avg"]["f1-score"]
n = report["weighted avg"]["support"]
print(f"{n} held-out utterances: intent accuracy {accuracy:.3f}, weighted F1 {f1:.3f}")
worst = sorted((v["f1-score"], k) for k, v in report.items() if isinstance(v, dict) and "f1-score" in v and k not in ("micro avg", "macro avg", "weighted avg"))[:5]
print("lowest F1: " + ", ".join(f"{k} {v:.2f}" for v, k in worst))
if accuracy < float(os.environ["MIN_ACCURACY"]):
    sys.exit(f"error: intent accuracy {accuracy:.3f} < {os.environ['MIN_ACCURACY']}")
PY

echo "== pytest tests/ (offer engine, policies, skills, speed-ups against stock Rasa)"
"$PY" -m pytest tests -q -p no:cacheprovider
rm -f results.validate.log results.core.log results.nlu.log
echo "assistant checks passed"
