#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests.
#
#   pg.sh start DIR     initdb into DIR/data, start on 127.0.0.1 and a unix socket in DIR on a
#                       free port (fsync off), create the roles and the database, write DIR/env
#   pg.sh restart DIR   pg_ctl restart -m fast (same port and options): the reconnect test
#   pg.sh stop DIR      pg_ctl stop -m fast, then remove DIR (fine when nothing is running)
#
# DIR/env (sourceable; read by the C++ tests, see tests/unit/store/pg_harness.cc):
#   PM_TEST_POSTGRES_URL            pm_app: LOGIN, not superuser, NOBYPASSRLS, DML only
#   PM_TEST_POSTGRES_MIGRATION_URL  pm_migrator: owns schema public of palettemaker (DDL), not
#                                   superuser
#   PM_TEST_POSTGRES_ADMIN_URL      the superuser postgres, for tests that make throwaway
#                                   databases and roles
#   PM_TEST_POSTGRES_HOST_DIR, PM_TEST_POSTGRES_PORT   the unix socket directory and the port
#   PM_TEST_POSTGRES_ROOT          this DIR
# Connections over the unix socket are trusted (no password); TCP needs the password.
#
# As root, initdb/pg_ctl run as the user postgres (initdb refuses root) and DIR is chowned to it,
# so every parent of DIR needs o+x. Otherwise they run as the current user.
set -Eeuo pipefail  # -E: the ERR trap of start also fires inside helper functions

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

usage() {
  echo "usage: pg.sh start|restart|stop DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
verb="$1"
dir="$2"
[[ -n $dir && $dir != / ]] || usage
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac

if [[ $(id -u) -eq 0 ]]; then
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

pg_ctl_() { as_pg "$PG_BIN/pg_ctl" -D "$dir/data" "$@"; }

running() { [[ -f $dir/data/postmaster.pid ]] && pg_ctl_ status >/dev/null 2>&1; }

stop_cluster() {
  if running; then
    pg_ctl_ -m fast -w -t 30 stop >/dev/null || pg_ctl_ -m immediate -w stop >/dev/null || true
  fi
}

rand_hex() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

do_start() {
  if [[ ! -x $PG_BIN/initdb ]]; then
    echo "pg.sh: $PG_BIN/initdb not found: install the Debian package postgresql" \
      "(apt-get install -y postgresql)" >&2
    exit 1
  fi
  # A cluster left over from an aborted run: stop it and start clean.
  if [[ -d $dir ]]; then
    stop_cluster
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
    if ! runuser -u postgres -- test -w "$dir"; then
      echo "pg.sh: the user postgres cannot reach $dir: every parent directory needs o+x" >&2
      exit 1
    fi
  fi
  # From here on a failure must not leave a server running.
  trap 'stop_cluster' ERR

  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    false
  }

  # A free port: probe, then let the server's bind decide (another process may take the port
  # between the probe and the start); retry on a bind failure.
  local port="" attempt
  for attempt in $(seq 1 20); do
    local candidate=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_in_use "$candidate" && continue
    if pg_ctl_ -l "$dir/log" -w -t 30 start -o "-c listen_addresses=127.0.0.1 -p $candidate \
-k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null 2>&1; then
      port="$candidate"
      break
    fi
    if ! grep -qiE 'could not (bind|create listen)|address already in use' "$dir/log" 2>/dev/null; then
      cat "$dir/log" >&2
      echo "pg.sh: the server did not start (log above)" >&2
      false
    fi
  done
  if [[ -z $port ]]; then
    echo "pg.sh: no free port found after 20 attempts" >&2
    false
  fi

  local admin_pw app_pw mig_pw
  admin_pw="$(rand_hex)"
  app_pw="$(rand_hex)"
  mig_pw="$(rand_hex)"
  psql_() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres "$@"; }

  psql_ -d postgres -c "ALTER ROLE postgres PASSWORD '$admin_pw'" \
    -c "CREATE ROLE pm_migrator LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '$mig_pw'" \
    -c "CREATE ROLE pm_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '$app_pw'"
  # CREATE DATABASE cannot run inside the transaction that psql makes of one -c with several
  # statements, so it gets its own -c.
  psql_ -d postgres -c "CREATE DATABASE palettemaker"
  # The same grants as PgTestDatabase (tests/unit/store/pg_harness.cc) gives each throwaway
  # database: pm_migrator owns the schema (DDL), pm_app gets DML on whatever pm_migrator creates.
  psql_ -d palettemaker <<'SQL'
REVOKE ALL ON DATABASE palettemaker FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE palettemaker TO pm_migrator, pm_app;
ALTER SCHEMA public OWNER TO pm_migrator;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pm_app;
ALTER DEFAULT PRIVILEGES FOR ROLE pm_migrator IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO pm_app;
ALTER DEFAULT PRIVILEGES FOR ROLE pm_migrator IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO pm_app;
SQL

  umask 077
  cat >"$dir/env.tmp" <<EOF
PM_TEST_POSTGRES_URL=postgres://pm_app:$app_pw@127.0.0.1:$port/palettemaker
PM_TEST_POSTGRES_MIGRATION_URL=postgres://pm_migrator:$mig_pw@127.0.0.1:$port/palettemaker
PM_TEST_POSTGRES_ADMIN_URL=postgres://postgres:$admin_pw@127.0.0.1:$port/postgres
PM_TEST_POSTGRES_HOST_DIR=$dir
PM_TEST_POSTGRES_PORT=$port
PM_TEST_POSTGRES_ROOT=$dir
EOF
  mv "$dir/env.tmp" "$dir/env"
  trap - ERR
  echo "pg.sh: PostgreSQL on 127.0.0.1:$port and $dir (env in $dir/env)"
}

do_restart() {
  if ! running; then
    echo "pg.sh: no cluster is running in $dir" >&2
    exit 1
  fi
  # Without -o, pg_ctl restart reuses the options of the last start (data/postmaster.opts).
  pg_ctl_ -l "$dir/log" -m fast -w -t 30 restart >/dev/null
}

do_stop() {
  if [[ -d $dir ]]; then
    stop_cluster
    rm -rf "$dir"
  fi
}

case "$verb" in
  start) do_start ;;
  restart) do_restart ;;
  stop) do_stop ;;
  *) usage ;;
esac
