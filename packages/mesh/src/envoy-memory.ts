// What every Envoy of the mesh does with memory it no longer uses. Most of an idle Envoy's private
// memory is its binary's own data and tcmalloc's heap; after a burst of calls tcmalloc keeps the
// freed pages (several MiB an Envoy) unless told to give them back.

type Json = Record<string, unknown>;

/**
 * The bootstrap's memory_allocator_manager: 1 MiB of free heap back to the system each second, so an
 * Envoy returns to its idle size a few seconds after a load, at the price of a page fault or two when
 * the next load comes.
 */
export function memoryAllocatorManager(): Json {
  return { bytes_to_release: String(2 ** 20), memory_release_interval: "1s" };
}
