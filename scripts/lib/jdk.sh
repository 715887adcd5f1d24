# Sourced by ./mvnw and every scripts/* command: makes JAVA_HOME point to a JDK 25 or newer.
#
# Order of search: $JAVA_HOME if it is 25+; the `java` on PATH if it is 25+; then the usual install
# locations (/usr/lib/jvm, /opt/java, /usr/java, /opt, ~/.sdkman, ~/.jdks, macOS JavaVirtualMachines),
# newest major version first. Stops with instructions when none is found.

nexus_jdk_major() {
  # Prints the major version of the JDK at $1 (a JAVA_HOME), or nothing when it is not a JDK.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

nexus_find_jdk() {
  local wanted=25 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(nexus_jdk_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$wanted" ]; then
      printf '%s\n' "$JAVA_HOME"
      return 0
    fi
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(nexus_jdk_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$wanted" ]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/* /opt/java/* /usr/java/* /opt/jdk* /opt/*jdk* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
      /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$candidate" ] || continue
    major=$(nexus_jdk_major "$candidate")
    [ -n "$major" ] || continue
    if [ "$major" -ge "$wanted" ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate
      best_major=$major
    fi
  done
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}

if nexus_found_jdk=$(nexus_find_jdk); then
  JAVA_HOME=$nexus_found_jdk
  export JAVA_HOME
  PATH="$JAVA_HOME/bin:$PATH"
  export PATH
else
  cat >&2 <<'MSG'
Nexus needs a JDK 25 or newer to build and run, and none was found.
Searched: $JAVA_HOME, the javac on PATH, /usr/lib/jvm, /opt/java, /usr/java, /opt, ~/.sdkman, ~/.jdks.
Install one (for example Debian/Ubuntu: apt-get install temurin-25-jdk from the Adoptium repository,
or `sdk install java 25-tem` with SDKMAN), then either put it in one of those places or run:
    export JAVA_HOME=/path/to/jdk-25
MSG
  exit 1
fi
unset nexus_found_jdk
