// Small collection helpers the ES2023 typings lack (Map.prototype.getOrInsertComputed is still a
// proposal): one home instead of the `let v = m.get(k); if (!v) m.set(k, (v = …))` idiom.

/** The value stored under `key`, storing `make()` first when there is none (Map or WeakMap). */
export function getOrInsert<K, V>(map: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  const had = map.get(key);
  if (had !== undefined) return had;
  const v = make();
  map.set(key, v);
  return v;
}
