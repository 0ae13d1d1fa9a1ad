#!/usr/bin/env python3
"""The library examples of README.md and docs/sql.md as outside Maven projects, built and run as a
user would.

  readme.py DIR     writes one project per example into DIR/<name>/ from the documents' own blocks,
                    runs each with the documents' run command, and checks what it prints

A block belongs to an example when the line before it is a marker (README.md's blocks first, then
docs/sql.md's, which adds SQL to the README's DataStream project):

  <!-- example: NAMES KIND -->

NAMES are the examples it belongs to (e.g. "datastream sql"); KIND is "pom.xml" (dependencies, put
into a new project's pom in README order), "java" (a class, at the path its package and name give),
"run" (the command, run in the project), "output" (what the run prints, checked line by line in any
order, numbers to within float32 rounding) or any other path (the file itself). Nothing here repeats
the README: a project is a plain new Maven project plus the README's blocks.
"""
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = [os.path.join(HERE, "..", "README.md"), os.path.join(HERE, "..", "docs", "sql.md")]
MARKER = re.compile(r"^<!-- example: (.+?) -->\s*$")
KERNEL_LINE = re.compile(r"INFO\s+Kernels - Activation kernels: ")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")

# What a new Maven project has before the README's blocks: coordinates, Java 17, a compiler plugin.
SKELETON = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>readme-{name}</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
{dependencies}
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.0</version>
      </plugin>
    </plugins>
  </build>
</project>
"""


def blocks():
    """(names, kind, text) for every marked fenced block, in the documents' order."""
    out = []
    for source in SOURCES:
        lines = open(source, encoding="utf-8").read().split("\n")
        i = 0
        while i < len(lines):
            m = MARKER.match(lines[i])
            if m:
                words = m.group(1).split()
                if len(words) < 2 or not lines[i + 1].startswith("```"):
                    sys.exit(f"readme.py: {os.path.basename(source)} line {i + 1}: a marker needs names,"
                             " a kind and a fenced block next")
                j = i + 2
                while not lines[j].startswith("```"):
                    j += 1
                out.append((words[:-1], words[-1], "\n".join(lines[i + 2:j]) + "\n"))
                i = j
            i += 1
    return out


def java_path(source):
    package = re.search(r"^package ([\w.]+);", source, re.M).group(1)
    cls = re.search(r"^public (?:final )?(?:class|record|interface) (\w+)", source, re.M).group(1)
    return os.path.join("src/main/java", *package.split("."), cls + ".java")


def write_projects(directory):
    projects = {}
    for names, kind, text in blocks():
        for name in names:
            p = projects.setdefault(name, {"deps": [], "files": {}, "run": None, "output": None})
            if kind == "pom.xml":
                p["deps"].append(text)
            elif kind == "java":
                p["files"][java_path(text)] = text
            elif kind == "run":
                p["run"] = text
            elif kind == "output":
                p["output"] = text
            else:
                p["files"][kind] = text
    for name, p in projects.items():
        if not p["deps"] or not p["run"]:
            sys.exit(f"readme.py: the README's example '{name}' needs a pom.xml block and a run block")
        root = os.path.join(directory, name)
        deps = "".join(p["deps"])
        files = dict(p["files"])
        files["pom.xml"] = SKELETON.format(name=name, dependencies=indent(deps, "    "))
        for path, text in files.items():
            full = os.path.join(root, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
    return projects


def indent(text, prefix):
    return "\n".join(prefix + line if line else line for line in text.rstrip("\n").split("\n"))


def normalized(line):
    """A printed line without terminal colours and the printing subtask's number (gelu:2> -> gelu>)."""
    return re.sub(r"^([\w ]+):\d+>", r"\1>", re.sub(r"\x1b\[[0-9;]*m", "", line).strip())


def same_line(expected, actual):
    if NUMBER.sub("#", expected) != NUMBER.sub("#", actual):
        return False
    for e, a in zip(NUMBER.findall(expected), NUMBER.findall(actual)):
        x, y = float(e), float(a)
        if x != y and abs(x - y) > 1e-7 + 4e-7 * max(abs(x), abs(y)):
            return False
    return True


def check_output(name, expected, stdout):
    problems = []
    want = [normalized(l) for l in expected.strip().split("\n") if not KERNEL_LINE.search(l)]
    got = [normalized(l) for l in stdout.split("\n") if not KERNEL_LINE.search(l)]
    want, got = [l for l in want if l], [l for l in got if l]
    for w in want:
        match = next((g for g in got if same_line(w, g)), None)
        if match is None:
            problems.append(f"{name}: the README shows '{w}', the run printed no such line")
        else:
            got.remove(match)
    for g in got:
        problems.append(f"{name}: the run printed '{g}', which the README does not show")
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: readme.py DIR")
    directory = os.path.abspath(sys.argv[1])
    projects = write_projects(directory)
    failures = []
    for name, p in projects.items():
        root = os.path.join(directory, name)
        print(f"[readme] {name}: {p['run'].strip()}", flush=True)
        run = subprocess.run(["bash", "-euo", "pipefail", "-c", p["run"]], cwd=root, capture_output=True,
                             text=True, timeout=600)
        with open(os.path.join(root, "run.log"), "w", encoding="utf-8") as log:
            log.write(run.stdout + "\n--- stderr ---\n" + run.stderr)
        if run.returncode != 0:
            failures.append(f"{name}: the README's run command exited {run.returncode} (see {root}/run.log)")
            continue
        if not KERNEL_LINE.search(run.stdout):
            failures.append(f"{name}: the run printed no line saying which kernels run (see {root}/run.log)")
        if p["output"] is not None:
            failures += check_output(name, p["output"], run.stdout)
        print(f"[readme] {name}: ran; " + ("printed what the README shows" if p["output"] else "printed the kernel line"),
              flush=True)
    if failures:
        for f in failures:
            print("FAIL " + f, file=sys.stderr)
        sys.exit(1)


main()
