#pragma once
// A prepared statement with named parameters: the SQL says `:subject`, the caller says
// args.set("subject", ...), so a value cannot land in another column's place, whatever the number
// of parameters. Every value travels as text bytes (the compiled SQL reads `:name` as `$n::text`),
// so a non-text column spells its cast in the SQL (`:raw_size::bigint`); `:name::bytea` instead
// travels as raw bytes (binary, no escaping). Empty text for "absent" is the caller's convention
// (NULLIF(:x, '') in the SQL).
//
// NamedStatement compiles once (throws std::invalid_argument for a malformed name); NamedArgs
// throws std::logic_error for a name the statement does not have and, at exec(), for a parameter
// left unset. exec() runs it as a prepared statement (db/prepared_statement.hpp).

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

namespace hd::db {

class NamedStatement {
 public:
  NamedStatement(std::string name, std::string_view sql);

  const std::string& name() const { return name_; }
  const std::string& sql() const { return sql_; }                             // with $1..$n
  const std::vector<std::string>& parameters() const { return parameters_; }  // $n is [n - 1]
  std::size_t position(std::string_view parameter) const;  // 0-based; logic_error when unknown

 private:
  std::string name_;
  std::string sql_;
  std::vector<std::string> parameters_;
};

class NamedArgs {
 public:
  explicit NamedArgs(const NamedStatement& statement);

  NamedArgs& set(std::string_view parameter, std::string_view text);
  NamedArgs& set(std::string_view parameter, const char* text) {
    return set(parameter, std::string_view(text));
  }
  NamedArgs& set(std::string_view parameter, std::int64_t number);
  NamedArgs& set(std::string_view parameter, bool flag);

  pqxx::result exec(pqxx::transaction_base& tx) const;

 private:
  const NamedStatement& statement_;
  std::vector<std::optional<pqxx::binarystring>> values_;
};

}  // namespace hd::db
