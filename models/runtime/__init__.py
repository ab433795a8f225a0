"""How models run: the manager (lazy, shared, within a memory budget), batching and the accelerator
gate, devices, decoded-media budget, audio I/O, errors shown to users, start-up checks, and the Ray backend."""
