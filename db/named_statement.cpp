#include "db/named_statement.hpp"

#include <cctype>
#include <stdexcept>

namespace hd::db {
namespace {

bool startsName(char c) {
  return std::islower(static_cast<unsigned char>(c)) || c == '_';
}

bool inName(char c) {
  return startsName(c) || std::isdigit(static_cast<unsigned char>(c));
}

}  // namespace

NamedStatement::NamedStatement(std::string name, std::string_view sql) : name_(std::move(name)) {
  constexpr std::string_view kBytea = "::bytea";
  for (std::size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    if (c == '\'') {  // a string literal is copied as it is, '' included
      const std::size_t end = sql.find('\'', i + 1);
      if (end == std::string_view::npos) throw std::invalid_argument(name_ + ": open literal");
      sql_.append(sql.substr(i, end + 1 - i));
      i = end + 1;
    } else if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {  // a cast
      sql_.append("::");
      i += 2;
    } else if (c == ':' && i + 1 < sql.size() && startsName(sql[i + 1])) {
      std::size_t end = i + 1;
      while (end < sql.size() && inName(sql[end])) ++end;
      const std::string parameter(sql.substr(i + 1, end - i - 1));
      std::size_t index = 0;
      while (index < parameters_.size() && parameters_[index] != parameter) ++index;
      if (index == parameters_.size()) parameters_.push_back(parameter);
      sql_.append("$" + std::to_string(index + 1));
      if (sql.substr(end, kBytea.size()) != kBytea) sql_.append("::text");
      i = end;
    } else if (c == ':' || c == '$') {
      throw std::invalid_argument(name_ + ": a parameter is written :lowercase_name");
    } else {
      sql_.push_back(c);
      ++i;
    }
  }
}

std::size_t NamedStatement::position(std::string_view parameter) const {
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    if (parameters_[i] == parameter) return i;
  }
  throw std::logic_error(name_ + " has no parameter :" + std::string(parameter));
}

NamedArgs::NamedArgs(const NamedStatement& statement)
    : statement_(statement), values_(statement.parameters().size()) {}

NamedArgs& NamedArgs::set(std::string_view parameter, std::string_view text) {
  values_.at(statement_.position(parameter)).emplace(text.data(), text.size());
  return *this;
}

NamedArgs& NamedArgs::set(std::string_view parameter, std::int64_t number) {
  return set(parameter, std::string_view(std::to_string(number)));
}

NamedArgs& NamedArgs::set(std::string_view parameter, bool flag) {
  return set(parameter, flag ? "true" : "false");
}

pqxx::result NamedArgs::exec(pqxx::transaction_base& tx) const {
  std::vector<pqxx::binarystring> values;
  values.reserve(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (!values_[i]) {
      throw std::logic_error(statement_.name() + ": :" + statement_.parameters()[i] + " not set");
    }
    values.push_back(*values_[i]);
  }
  // A repeated declaration with the same text is a no-op for libpqxx (db/prepared_statement.hpp).
  tx.conn().prepare(statement_.name(), statement_.sql());
  return tx.exec_prepared(statement_.name(), pqxx::prepare::make_dynamic_params(values));
}

}  // namespace hd::db
