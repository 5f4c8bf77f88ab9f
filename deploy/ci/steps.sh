#!/bin/sh
# The continuous-integration steps, the same on every git host: .github/workflows/site.yml and
# .gitlab-ci.yml run this script and nothing else, so running it in a clean clone shows what CI
# does (docs/deploying.md, "Publishing from a git host").
#
#   deploy/ci/steps.sh test      install what the tests need (bin/invoke, test_deps), lint, run them
#   deploy/ci/steps.sh publish   bin/invoke publish, with the host's secrets (on a push to main)
#
# publish reads, from the host's secret variables: DEPLOY_SSH_HOST, DEPLOY_SSH_USER, DEPLOY_PATH,
# DEPLOY_SSH_KEY (the private key, its text), DEPLOY_KNOWN_HOSTS (the server's line of
# known_hosts), SIGNUP_ENDPOINT and SITEURL; optionally DEPLOY_SSH_PORT and CI_PUBLISH_ARGS
# (such as --staging). The key is written to a folder only this user can open, used for this
# publish only, and removed when it ends; the server's host key is checked strictly.
set -eu
cd "$(dirname "$0")/../.."

case "${1:-}" in
  test)
    bin/invoke --list > /dev/null
    .venv/bin/python -c "from keter_tools import test_deps; test_deps.ensure()"
    bin/invoke lint  # ruff and mypy, as bin/invoke test runs them
    # CI_TESTS: a selection of test files (default: all of them).
    # shellcheck disable=SC2086
    .venv/bin/python -m pytest -q ${CI_TESTS:-}
    ;;
  publish)
    missing=""
    for name in DEPLOY_SSH_HOST DEPLOY_SSH_USER DEPLOY_SSH_KEY DEPLOY_KNOWN_HOSTS SIGNUP_ENDPOINT SITEURL; do
      eval "value=\${$name:-}"
      [ -n "$value" ] || missing="$missing $name"
    done
    if [ -n "$missing" ]; then
      echo "Not published: set these secret variables in the git host's settings:$missing" >&2
      exit 1
    fi
    # GitHub passes a secret nobody set as an empty value: empty means unset (publishconf.py's default).
    [ -n "${DEPLOY_PATH:-}" ] || unset DEPLOY_PATH
    secrets=$(mktemp -d)  # mode 0700
    trap 'rm -rf "$secrets"' EXIT
    umask 077
    printf '%s\n' "$DEPLOY_SSH_KEY" > "$secrets/key"
    printf '%s\n' "$DEPLOY_KNOWN_HOSTS" > "$secrets/known_hosts"
    RSYNC_RSH="ssh -F /dev/null -i $secrets/key -o IdentitiesOnly=yes -o UserKnownHostsFile=$secrets/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes"
    export RSYNC_RSH
    # shellcheck disable=SC2086
    bin/invoke publish ${CI_PUBLISH_ARGS:-}
    ;;
  *)
    echo "usage: deploy/ci/steps.sh test|publish" >&2
    exit 2
    ;;
esac
