#pragma once
// Whether a test's peak-RSS bound means anything in this build. Under AddressSanitizer or
// ThreadSanitizer (./deploy/local.sh sanitize) a process carries shadow memory and a quarantine
// of freed blocks, several times the bounds; those builds check everything else a test asserts
// and leave the bound to the normal build, which every test run and CI use.

namespace hd::test {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kMemoryBoundsApply = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kMemoryBoundsApply = false;
#else
inline constexpr bool kMemoryBoundsApply = true;
#endif
#else
inline constexpr bool kMemoryBoundsApply = true;
#endif

}  // namespace hd::test
