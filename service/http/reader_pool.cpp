#include "service/http/reader_pool.hpp"

namespace hd::service::http {

ReaderPool::ReaderPool(std::string url, db::StoreOptions options, std::size_t max_idle)
    : url_(std::move(url)), options_(std::move(options)), max_idle_(max_idle) {}

ReaderPool::Lease ReaderPool::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto handles = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(handles));
    }
  }
  // Connections open lazily, on the first query, outside this lock.
  return Lease(*this, std::make_unique<DbHandles>(url_, options_));
}

void ReaderPool::giveBack(std::unique_ptr<DbHandles> handles) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(handles));
}

}  // namespace hd::service::http
