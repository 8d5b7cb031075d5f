"""The pseudo-terminal the child runs on, and the user's terminal while it does.

Everything that touches termios lives here, with the platform quirks at the place they are
handled. The rest of the wrapper sees: open a pty, take it as the controlling terminal, copy the
window size, read the ^Z character, enter and leave raw input mode.
"""
from __future__ import annotations

import fcntl
import os
import struct
import termios
from typing import List, Optional, Tuple

# termios attribute list indexes
IFLAG, OFLAG, CFLAG, LFLAG, ISPEED, OSPEED, CC = range(7)


def open_pty(size_from: Optional[int], modes_from: Optional[int] = None) -> Tuple[int, int]:
    """A new (master, slave) pair with the window size of `size_from` and the modes of
    `modes_from` (each only if it is a terminal).

    The program's terminal takes the user's modes, as `ssh -t` does, so that it reads keys as
    the user's own terminal would: `stty` settings (another ^C character, echo off), the erase
    character, and UTF-8 input (IUTF8: a backspace in `input()` erases a whole `é`; a new
    pty's defaults leave it off).
    Output post-processing (ONLCR, '\\n' -> '\\r\\n') is turned off on the inner terminal: the
    user's terminal already does it, and doing it twice would put '\\r\\r\\n' into everything
    that reads the child's output (our output.log, pipes further down)."""
    master, slave = os.openpty()
    attrs = termios.tcgetattr(slave)
    if modes_from is not None:
        try:
            attrs = termios.tcgetattr(modes_from)
        except termios.error:
            pass
    attrs[OFLAG] &= ~termios.ONLCR
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    if size_from is not None:
        copy_window_size(size_from, master)
    return master, slave


def window_size(fd: int) -> Optional[bytes]:
    try:
        return fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    except OSError:
        return None


def copy_window_size(src: int, dst: int) -> None:
    """Copy the window size of terminal `src` onto pty `dst`. Setting it on the master makes the
    kernel send SIGWINCH to the pty's foreground process group, as a real terminal would."""
    size = window_size(src)
    if size is None or struct.unpack("HHHH", size)[:2] == (0, 0):
        return
    try:
        fcntl.ioctl(dst, termios.TIOCSWINSZ, size)
    except OSError:
        pass


def take_controlling_terminal() -> None:
    """Make fd 1 (a pty slave) the calling process's controlling terminal; runs in the child
    between fork and exec, in the new session. Not fd 0: a piped stdin stays a pipe."""
    fcntl.ioctl(1, termios.TIOCSCTTY, 0)


def suspend_char(fd: int) -> Optional[bytes]:
    """Terminal `fd`'s ^Z byte, when it would generate a signal (not in a raw-mode program)."""
    return _signal_char(fd, termios.VSUSP)


def interrupt_char(fd: int) -> Optional[bytes]:
    """Terminal `fd`'s ^C byte, when it would generate a signal (not in a raw-mode program)."""
    return _signal_char(fd, termios.VINTR)


def _signal_char(fd: int, index: int) -> Optional[bytes]:
    try:
        attrs = termios.tcgetattr(fd)
    except termios.error:
        return None
    if not attrs[LFLAG] & termios.ISIG:
        return None
    char = attrs[CC][index]
    return char if char and char != b"\0" else None


def is_foreground(fd: int) -> bool:
    """True when this process's group owns terminal `fd` (not a background job `cmd &`):
    a background job that changes terminal modes or reads the terminal would be stopped."""
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False


class RawInput:
    """The user's terminal in raw *input* mode: every key goes to the child as a byte, so the
    child's own terminal (the pty) interprets ^C, ^Z, ^D, arrows and line editing as a plain
    shell would. Output processing is left on (the outer terminal does the '\\r\\n').
    `leave()` restores the saved modes and is safe to call any number of times."""

    def __init__(self, fd: int):
        self.fd = fd
        self.saved: Optional[List] = None

    def enter(self) -> None:
        try:
            attrs = termios.tcgetattr(self.fd)
        except termios.error:
            return
        if self.saved is None:
            self.saved = [list(a) if isinstance(a, list) else a for a in attrs]
        attrs[IFLAG] &= ~(termios.BRKINT | termios.ICRNL | termios.INPCK | termios.ISTRIP |
                          termios.IXON)
        attrs[CFLAG] = (attrs[CFLAG] & ~(termios.CSIZE | termios.PARENB)) | termios.CS8
        attrs[LFLAG] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
        attrs[CC][termios.VMIN] = 1
        attrs[CC][termios.VTIME] = 0
        try:
            termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        except termios.error:
            pass

    def leave(self) -> None:
        if self.saved is None:
            return
        try:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
        except termios.error:
            pass

    def forget(self) -> None:
        self.saved = None
