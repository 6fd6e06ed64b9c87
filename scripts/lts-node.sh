# Source this (`source scripts/lts-node.sh`) to run the project on the Node.js line it supports when the machine's
# Node is older: it puts that Node first on PATH for the shell, and does nothing when the machine's Node is recent
# enough. The binary and its C++ headers come from the npm registry (the node-<os>-<arch> packages hold both, and run
# no install script), so this works where npm does, with no other download; they are unpacked once into
# ${XDG_CACHE_HOME:-~/.cache}/diplomatic-timeline/. npm_config_nodedir points node-gyp at those headers, which
# better-sqlite3's build needs and would otherwise fetch from nodejs.org.

# The current Active LTS line (Node.js 26, "Lithium", since 2026-10-28), and its newest release on the npm registry.
LTS_NODE_MAJOR=26
LTS_NODE_VERSION=26.12.1

lts_node_major() {
  command -v node >/dev/null && node -p 'Number(process.versions.node.split(".")[0])' 2>/dev/null || echo 0
}

lts_node_use() {
  if (("$(lts_node_major)" >= LTS_NODE_MAJOR)); then return 0; fi

  local os arch dir
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "lts-node: no Node.js package for $(uname -s); install Node.js ${LTS_NODE_MAJOR} yourself" >&2 && return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "lts-node: no Node.js package for $(uname -m); install Node.js ${LTS_NODE_MAJOR} yourself" >&2 && return 1 ;;
  esac
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/diplomatic-timeline/node-v${LTS_NODE_VERSION}-${os}-${arch}"

  if [[ ! -x "$dir/bin/node" || ! -f "$dir/include/node/node.h" ]]; then
    echo "lts-node: Node.js $(node -v 2>/dev/null || echo 'none') is older than ${LTS_NODE_MAJOR}; fetching" \
      "node-${os}-${arch}@${LTS_NODE_VERSION} from the npm registry into $dir"
    local packed
    packed="$(mktemp -d)"
    (cd "$packed" && npm pack --silent "node-${os}-${arch}@${LTS_NODE_VERSION}" >/dev/null) || {
      rm -rf "$packed"
      echo "lts-node: npm pack node-${os}-${arch}@${LTS_NODE_VERSION} failed" >&2
      return 1
    }
    rm -rf "$dir" && mkdir -p "$dir"
    tar xzf "$packed"/*.tgz -C "$dir" --strip-components=1
    rm -rf "$packed"
  fi

  export PATH="$dir/bin:$PATH"
  export npm_config_nodedir="$dir"
  hash -r
  echo "lts-node: using Node.js $(node -v) from $dir"
}

lts_node_use
