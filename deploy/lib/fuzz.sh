# shellcheck shell=bash
# libFuzzer targets (tests/fuzz): build them with clang into their own build directory and run
# them over their seed corpora. Used by `deploy/local.sh fuzz-smoke` (CI) and for long runs.

HD_FUZZ_BUILD_DIR=${HD_FUZZ_BUILD_DIR:-build-fuzz}
HD_FUZZ_TARGETS=(mime_parse_fuzz imap_parser_fuzz pop3_codec_fuzz xoauth2_challenge_fuzz
  config_loader_fuzz http_request_target_fuzz)

# fuzz_seeds TARGET: the seed directories of a target (read-only; new inputs go elsewhere).
fuzz_seeds() {
  case $1 in
    mime_parse_fuzz) echo "${HD_REPO}/tests/corpus/hard ${HD_REPO}/tests/corpus/mimekit" ;;
    imap_parser_fuzz) echo "${HD_REPO}/tests/transcripts/imap" ;;
    *) echo "${HD_REPO}/tests/fuzz/corpus/${1%_fuzz}" ;;
  esac
}

fuzz_build() {
  cd "${HD_REPO}" || return
  # shellcheck disable=SC2086 # HD_CMAKE_ARGS is a list of arguments
  CC=clang CXX=clang++ cmake -S . -B "${HD_FUZZ_BUILD_DIR}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHD_FUZZ=ON ${HD_CMAKE_ARGS:-}
  cmake --build "${HD_FUZZ_BUILD_DIR}" -j "$(nproc)" --target "${HD_FUZZ_TARGETS[@]}"
}

# fuzz_run TARGET SECONDS WORKDIR [libFuzzer flags...]: fuzzes TARGET for SECONDS of wall time;
# new inputs go to WORKDIR/corpus, crashes/leaks/OOMs to WORKDIR/ (non-zero exit on a finding).
fuzz_run() {
  local target=$1 seconds=$2 work=$3
  shift 3
  mkdir -p "${work}/corpus"
  # shellcheck disable=SC2046 # one word per seed directory
  "${HD_REPO}/${HD_FUZZ_BUILD_DIR}/tests/fuzz/${target}" -max_total_time="${seconds}" \
    -rss_limit_mb=2048 -timeout=60 -artifact_prefix="${work}/" -print_final_stats=1 "$@" \
    "${work}/corpus" $(fuzz_seeds "${target}")
}

# fuzz_smoke SECONDS_EACH: every target in turn; fails on the first finding.
fuzz_smoke() {
  local seconds=$1 target work=${HD_SCRATCH}/fuzz-smoke
  rm -rf "${work}"
  for target in "${HD_FUZZ_TARGETS[@]}"; do
    log "fuzzing ${target} for ${seconds} s"
    fuzz_run "${target}" "${seconds}" "${work}/${target}" ||
      die "${target} found a problem; the input is in ${work}/${target}/"
  done
  rm -rf "${work}"
}
