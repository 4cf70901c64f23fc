#!/usr/bin/env python3
"""A TCP proxy for chaos tests: forwards 127.0.0.1:LISTEN to 127.0.0.1:TARGET and breaks
the network on signals.
  SIGUSR1  drop: reset every open connection (RST, as a lost route or a dead NAT entry)
  SIGUSR2  stall on/off: stop forwarding in both directions (bytes wait in the kernel,
           connections stay open; new connections are accepted and stall too)
  SIGHUP   black hole: the connections open now never forward another byte and are
           never closed (a middlebox that lost its state and swallows packets); new
           connections work
Prints the listening port on stdout, then runs until killed."""
import signal
import socket
import struct
import sys
import threading

target_port = int(sys.argv[1])
listen_port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
flowing = threading.Event()
flowing.set()
lock = threading.Lock()
open_sockets = set()


def reset(sock):
    # shutdown() first: close() alone does not wake a thread blocked in recv() on the
    # socket, and the kernel would keep the connection open (the server never learns).
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


black_holed = set()


def pump(src, dst):
    try:
        while True:
            flowing.wait()
            data = src.recv(65536)
            if not data:
                break
            flowing.wait()
            if src in black_holed:
                threading.Event().wait()  # forever: the sockets stay open, nothing passes
            dst.sendall(data)
    except OSError:
        pass
    for sock in (src, dst):
        with lock:
            open_sockets.discard(sock)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def on_drop(signum, frame):
    with lock:
        doomed = list(open_sockets)
        open_sockets.clear()
    for sock in doomed:
        reset(sock)


def on_stall(signum, frame):
    if flowing.is_set():
        flowing.clear()
    else:
        flowing.set()


def on_black_hole(signum, frame):
    with lock:
        black_holed.update(open_sockets)


signal.signal(signal.SIGHUP, on_black_hole)
signal.signal(signal.SIGUSR1, on_drop)
signal.signal(signal.SIGUSR2, on_stall)
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(64)
print(server.getsockname()[1], flush=True)
while True:
    try:
        client, _ = server.accept()
    except InterruptedError:
        continue
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port))
    except OSError:
        reset(client)
        continue
    with lock:
        open_sockets.update((client, upstream))
    for a, b in ((client, upstream), (upstream, client)):
        threading.Thread(target=pump, args=(a, b), daemon=True).start()
