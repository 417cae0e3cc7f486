#pragma once
// Session setup for a connection that sends large values (raw mail) to PostgreSQL.
//
// A backend on glibc takes each allocation above malloc's mmap threshold (128 KiB at first) from a
// fresh mapping, and gives memory at the top of its heap back to the kernel once more than the
// trim threshold is free there. A statement carrying a megabyte of mail allocates its bytes
// several times over (the Bind message, the parameter, the tuple, the compression attempt), so
// every such statement was faulted in page by page and given back again: measured on the bench
// corpus (2,000 messages, 200 MB, written as the write-ahead does), 211,000 page faults and 2.3 s
// of backend CPU, more than half of it in the kernel.
//
// glibc raises both thresholds when a mapped block is freed (to its size, and twice that, up to
// 32 MiB): one 16 MiB value built and dropped by the server at the start of the session leaves
// the backend keeping up to 32 MiB of freed memory for the next statement. Measured the same way:
// 35,000 page faults and 1.4 s. It costs a few milliseconds once per session, nothing on the wire,
// and is a plain allocation on any other allocator.
namespace hd::db {

inline constexpr const char* kLargeValueSessionSetup =
    "SELECT octet_length(repeat(repeat('x', 1024), 16 * 1024))";

}  // namespace hd::db
