/*
 * srcsel.c — the per-target source choice (see srcsel.h): splitmix64's
 * finalizer over seed ^ daddr, the top 32 bits scaled to n.
 */
#include "engine/srcsel.h"

size_t srcsel_index(uint64_t seed, uint32_t daddr, size_t n)
{
	uint64_t z = (seed ^ daddr) + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return (size_t)(((z >> 32) * (uint64_t)n) >> 32);
}
