#!/usr/bin/env bash
# with-services.sh NAME COMMAND...: runs COMMAND with the servers it starts backed by the
# PostgreSQL cluster and S3 server that the ctest fixtures started (their env files under
# $PM_TEST_SERVICES_DIR), each run under its own object prefix. Fails loudly when a service is
# missing: a test never silently falls back to SQLite.
set -euo pipefail
name=$1
shift
dir=${PM_TEST_SERVICES_DIR:?PM_TEST_SERVICES_DIR is not set}
for f in "$dir/postgres/env" "$dir/s3/env"; do
  [[ -f $f ]] || { echo "with-services.sh: $f is missing (the services fixture did not run)" >&2; exit 1; }
  set -a
  # shellcheck disable=SC1090
  source "$f"
  set +a
done
export PM_TEST_BACKEND=postgres
export PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_URL=$PM_TEST_POSTGRES_URL
export PM_TEST_SERVER_ENV_PALETTEMAKER_DATABASE_MIGRATION_URL=$PM_TEST_POSTGRES_MIGRATION_URL
export PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_URL="s3://$PM_TEST_S3_BUCKET/it-$name-$$-$RANDOM"
export PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_S3_ENDPOINT=$PM_TEST_S3_ENDPOINT
export PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_S3_REGION=$PM_TEST_S3_REGION
export PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_S3_PATH_STYLE=true
export PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_S3_ACCESS_KEY_ID=$PM_TEST_S3_ACCESS_KEY_ID
export PM_TEST_SERVER_ENV_PALETTEMAKER_STORAGE_S3_SECRET_ACCESS_KEY=$PM_TEST_S3_SECRET_ACCESS_KEY
exec "$@"
