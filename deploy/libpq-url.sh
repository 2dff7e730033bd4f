# Sourced by deploy/backup.sh and deploy/restore.sh: a database URL as pg_dump and
# pg_restore take it.
#
#   libpq_url URL   sets libpq_url (the URL without a password, in libpq's spelling) and
#                   libpq_password (the password it carried, decoded; empty if none)
#
# The scripts hand the password to the tools as PGPASSWORD, in their environment only
# (without one, libpq looks in ~/.pgpass as usual), never on their command line: every
# user of the host can read a process's command line (ps), while its environment is its
# owner's.

libpq_url() {
  local url="${1/postgresql+psycopg:/postgresql:}" userinfo password
  libpq_password=""
  case "$url" in
    postgres://* | postgresql://*) ;;
    *) echo "not a PostgreSQL URL (postgresql://...)" >&2; return 1 ;;
  esac
  if [[ "$url" =~ ^(postgres(ql)?://)([^@/]*)@(.*)$ ]]; then
    userinfo="${BASH_REMATCH[3]}"
    if [[ "$userinfo" == *:* ]]; then
      password="${userinfo#*:}"
      password="${password//\\/\\\\}"             # a backslash stays itself...
      printf -v libpq_password '%b' "${password//%/\\x}"  # ...and %XX becomes its byte
      url="${BASH_REMATCH[1]}${userinfo%%:*}@${BASH_REMATCH[4]}"
    fi
  fi
  libpq_url="$url"
}
