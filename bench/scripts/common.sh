#!/usr/bin/env bash
# Sourced by the bench scripts (run from the repository's top directory).

# bench_classpath DIR: copies bench's classes and every jar of its runtime classpath into DIR and prints the classpath
# of the copies. A build running meanwhile (make test, another bench) may rewrite bench/target or a module's
# target/*.jar; the copies keep a long benchmark on the classes it started with.
bench_classpath() {
  local dir=$1 path i jar
  local -a jars
  mkdir -p "$dir/lib"
  cp -r bench/target/classes "$dir/classes"
  path="$dir/classes"
  IFS=: read -r -a jars < bench/target/classpath.txt || true  # no trailing newline
  for i in "${!jars[@]}"; do
    jar=${jars[$i]}
    [[ -f $jar ]] || continue
    cp "$jar" "$dir/lib/$i-$(basename "$jar")"
    path="$path:$dir/lib/$i-$(basename "$jar")"
  done
  echo "$path"
}
