# Sourced by the project's scripts: finds a JDK 25 or newer and exports JAVA_HOME.
# Order: JAVA_HOME if it is 25+, then the usual install locations, then `java` on PATH.
# Fails with a clear message if none is found; never installs anything.

wf_java_major() {
  # Prints the feature version of the java binary $1 (e.g. 25), or nothing.
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)
  case "$v" in 1.*) v=${v#1.}; v=${v%%.*} ;; esac
  printf '%s' "${v%%.*}"
}

wf_find_jdk() {
  local min=25 cand major
  local -a candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for cand in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home \
              "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$cand" ] && candidates+=("$cand")
  done
  if command -v java >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    candidates+=("$cand")
  fi
  for cand in "${candidates[@]}"; do
    [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    major=$(wf_java_major "$cand/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$min" ] 2>/dev/null; then
      export JAVA_HOME="$cand"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "wrinklefree: no JDK $min or newer found (JAVA_HOME='${JAVA_HOME:-}', searched /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, PATH)." >&2
  echo "wrinklefree: install a JDK $min (e.g. Temurin $min) or point JAVA_HOME at one." >&2
  return 1
}
