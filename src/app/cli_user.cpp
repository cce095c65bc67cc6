// User administration on DATA/state.db; works beside a running server (SQLite WAL, busy timeout).
#include "app/cli_user.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/registry_import.h"
#include "app/server.h"
#include "store/state_store.h"
#include "store/user_store.h"

namespace khien {

namespace {

struct Options {
  std::string data = "khien-data";
  std::string registry;
  std::string login, role, scope, display_name, password_file, key_name, key_id;
};

int die(const std::string& message) {
  std::cerr << "khien: " << message << "\n";
  return 1;
}

// The password: first line of --password-file, else of stdin (never from the command line,
// where it would show in `ps` and the shell history).
Result<std::string> read_password(const Options& o) {
  std::string line;
  if (!o.password_file.empty()) {
    std::ifstream in(o.password_file);
    if (!in) return fail(fmt::format("--password-file {}: cannot open", o.password_file));
    std::getline(in, line);
  } else {
    if (::isatty(STDIN_FILENO)) std::cerr << "password: " << std::flush;
    std::getline(std::cin, line);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > kMaxPasswordBytes) return fail(fmt::format("password: longer than {} bytes", kMaxPasswordBytes));
  if (line.size() < kMinPasswordBytes) return fail(fmt::format("password: shorter than {} bytes", kMinPasswordBytes));
  return line;
}

struct Stores {
  std::unique_ptr<StateStore> state;
  std::unique_ptr<UserStore> users;
};

Result<Stores> open_stores(const Options& o) {
  std::filesystem::path dir = o.data;
  Stores s;
  auto state = StateStore::open(dir / "state.db");
  if (!state) return tl::unexpected(state.error());
  s.state = std::move(*state);
  if (!s.state->registry_loaded()) {
    // Scopes are checked against the registry, so a fresh data directory gets it now (as the
    // server would at its first start); the lock keeps a starting server from importing too.
    auto lock = lock_data_dir(dir);
    if (!lock) return tl::unexpected(lock.error());
    Status st = s.state->registry_loaded() ? Status{} : import_registry(*s.state, o.registry);
    ::close(*lock);
    if (!st) return tl::unexpected(st.error());
  }
  auto users = UserStore::open(dir / "state.db", s.state.get());
  if (!users) return tl::unexpected(users.error());
  s.users = std::move(*users);
  return s;
}

}  // namespace

std::function<int()> add_user_commands(CLI::App& app) {
  auto* user = app.add_subcommand("user", "Console users (roles, scopes, passwords) and their API keys");
  user->require_subcommand(1);
  auto o = std::make_shared<Options>();
  auto data_option = [&o](CLI::App* c) {
    c->add_option("--data", o->data, "Data directory");
    c->add_option("--registry", o->registry, "Registry YAML directory if the data directory is new (default: built in)");
  };
  auto* add = user->add_subcommand("add", "Add a user; the password is read from stdin or --password-file");
  add->add_option("login", o->login, "Login (a-z 0-9 . _ - @)")->required();
  add->add_option("--role", o->role, "Role: " + role_names())->required();
  add->add_option("--scope", o->scope, "Sector id (sector-cert) or organisation id (org-soc)");
  add->add_option("--name", o->display_name, "Display name (default: the login)");
  add->add_option("--password-file", o->password_file, "File whose first line is the password");
  data_option(add);
  auto* passwd = user->add_subcommand("passwd", "Set a user's password (stdin or --password-file); ends their sessions and lockout");
  passwd->add_option("login", o->login, "Login")->required();
  passwd->add_option("--password-file", o->password_file, "File whose first line is the password");
  data_option(passwd);
  auto* disable = user->add_subcommand("disable", "Disable a user and end their sessions");
  disable->add_option("login", o->login, "Login")->required();
  data_option(disable);
  auto* enable = user->add_subcommand("enable", "Re-enable a disabled user");
  enable->add_option("login", o->login, "Login")->required();
  data_option(enable);
  auto* list = user->add_subcommand("list", "List users: login, role, scope, state");
  data_option(list);
  auto* key = user->add_subcommand("key", "Issue an API key for a user (printed once; send as Authorization: Bearer)");
  key->add_option("login", o->login, "Login")->required();
  key->add_option("--name", o->key_name, "What the key is for")->required();
  data_option(key);
  auto* revoke = user->add_subcommand("revoke-key", "Revoke an API key by its id (see `khien user keys`)");
  revoke->add_option("id", o->key_id, "Key id (key-...)")->required();
  data_option(revoke);
  auto* keys = user->add_subcommand("keys", "List API keys (id, user, name, last use, revoked)");
  data_option(keys);

  return [=]() -> int {
    if (!*user) return -1;
    auto stores = open_stores(*o);
    if (!stores) return die(stores.error().message);
    UserStore& users = *stores->users;
    if (*add) {
      auto role = parse_role(o->role);
      if (!role) return die(fmt::format("--role {}: expected one of {}", o->role, role_names()));
      auto password = read_password(*o);
      if (!password) return die(password.error().message);
      auto u = users.add_user(o->login, o->display_name, *role, o->scope, *password);
      if (!u) return die(u.error().message);
      std::cout << fmt::format("user {} added ({}{})\n", u->login, role_name(u->role), u->scope.empty() ? "" : " " + u->scope);
      return 0;
    }
    if (*passwd) {
      auto password = read_password(*o);
      if (!password) return die(password.error().message);
      if (auto st = users.set_password(o->login, *password); !st) return die(st.error().message);
      std::cout << fmt::format("password of {} changed; their sessions ended\n", o->login);
      return 0;
    }
    if (*disable || *enable) {
      if (auto st = users.set_disabled(o->login, static_cast<bool>(*disable)); !st) return die(st.error().message);
      std::cout << fmt::format("user {} {}\n", o->login, static_cast<bool>(*disable) ? "disabled" : "enabled");
      return 0;
    }
    if (*list) {
      TimeNs now = now_ns();
      std::cout << fmt::format("{:<24} {:<17} {:<20} {}\n", "LOGIN", "ROLE", "SCOPE", "STATE");
      for (const auto& u : users.users()) {
        std::string state = u.disabled ? "disabled" : u.locked_until > now ? "locked until " + format_rfc3339(u.locked_until, 0) : "active";
        std::cout << fmt::format("{:<24} {:<17} {:<20} {}\n", u.login, role_name(u.role), u.scope.empty() ? "-" : u.scope, state);
      }
      return 0;
    }
    if (*key) {
      auto u = users.user(o->login);
      if (!u) return die(fmt::format("login '{}': no such user (see `khien user list`)", o->login));
      auto k = users.create_api_key(u->id, o->key_name);
      if (!k) return die(k.error().message);
      std::cerr << fmt::format("API key {} for {} ({}); it is shown only now:\n", k->first.id, u->login, role_name(u->role));
      std::cout << k->second << "\n";
      return 0;
    }
    if (*keys) {
      std::cout << fmt::format("{:<16} {:<24} {:<24} {:<21} {}\n", "ID", "LOGIN", "NAME", "LAST USED", "STATE");
      for (const auto& k : users.api_keys(0))
        std::cout << fmt::format("{:<16} {:<24} {:<24} {:<21} {}\n", k.id, k.login, k.name,
                                 k.last_used ? format_rfc3339(k.last_used, 0) : "-", k.revoked ? "revoked" : "active");
      return 0;
    }
    if (*revoke) {
      if (auto st = users.revoke_api_key(o->key_id); !st) return die(st.error().message);
      std::cout << fmt::format("API key {} revoked\n", o->key_id);
      return 0;
    }
    return -1;
  };
}

}  // namespace khien
