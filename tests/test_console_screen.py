"""The console model (wrap/console.py + wrap/screen.py): output.log and the parsers get the
lines a terminal finally shows, from the bytes programs really send."""
from __future__ import annotations

import random
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runwrap.wrap.console import ConsoleLog
from runwrap.wrap.screen import FRAME
from wrapper_harness import Terminal, only_run

PY = sys.executable


def render(tmp_path, *chunks: bytes, frames=None):
    """(output.log text, final lines handed to the parser) after feeding `chunks` to one
    stream; the frames the parser got go to the list `frames`."""
    seen = []
    path = tmp_path / "output.log"
    log = ConsoleLog(str(path), sink=lambda stream, block, t: seen.extend(block.split("\n")))
    for chunk in chunks:
        log.feed("stdout", chunk)
    log.close()
    if frames is not None:
        frames.extend(line[1:] for line in seen if line.startswith(FRAME))
    return path.read_bytes().decode("utf-8"), [line for line in seen if not line.startswith(FRAME)]


def test_plain_text_is_logged_as_it_is(tmp_path):
    text, seen = render(tmp_path, b"a\nb", b"c\n\n", b"last")
    assert text == "a\nbc\n\nlast\n"
    assert seen == ["a", "bc", "", "last"]


def test_keras_backspaces_are_applied(tmp_path):
    # Keras' progress bar backs over its frame with '\b' then returns with '\r'.
    frame1 = b"1/4 [===>....] - loss: 0.5000"
    frame2 = b"4/4 [=========] - loss: 0.4000 - val_loss: 2.0906"
    text, seen = render(tmp_path, b"Epoch 1/3\n", frame1, b"\b" * len(frame1) + b"\r",
                        frame2 + b"\b" * 40 + b"\r\n", b"Epoch 2/3\n")
    assert seen == ["Epoch 1/3", frame2.decode(), "Epoch 2/3"]
    assert "\b" not in text


def test_bars_drawn_over_reach_the_parser_as_frames_but_not_the_log(tmp_path):
    frames = []
    text, seen = render(tmp_path, b"\rEpoch 0: 100% loss=0.5", b"\rEpoch 1:   0%          ",
                        b"\rEpoch 1: 100% loss=0.2\n", frames=frames)
    assert text == "Epoch 1: 100% loss=0.2\n" and seen == ["Epoch 1: 100% loss=0.2"]
    assert frames == ["Epoch 0: 100% loss=0.5", "Epoch 1:   0%"]


def test_nested_tqdm_bar_left_behind_is_gone(tmp_path):
    # tqdm's position=1 bar: '\n' down, draw, ESC[A up; leave=False blanks it on close.
    chunks = [b"\rEpoch 0:  10%|#", b"\rEpoch 0:  50%|#####",
              b"\n\rValidation:   0%|", b"\x1b[A", b"\n\rValidation: 100%|##########\x1b[A",
              b"\n\r" + b" " * 30 + b"\r\x1b[A", b"\rEpoch 0: 100%|########## loss=0.1\n",
              b"done\n"]
    text, seen = render(tmp_path, *chunks)
    assert text == "Epoch 0: 100%|########## loss=0.1\ndone\n"


def test_rich_live_display_leaves_its_last_frame_only(tmp_path):
    chunks = [b"before\n", b"\x1b[?25l", b"task 1\nloss 0.9", b"\r\x1b[2K\x1b[1A\x1b[2K",
              b"task 2\nloss 0.5", b"\r\x1b[2K\x1b[1A\x1b[2K", b"task 3\nloss 0.1",
              b"\n\x1b[?25h", b"after\n"]
    text, _ = render(tmp_path, *chunks)
    assert text == "before\ntask 3\nloss 0.1\nafter\n"


def test_transient_live_display_is_gone(tmp_path):
    chunks = [b"\x1b[?25l", b"a\nb", b"\r\x1b[2K\x1b[1A\x1b[2K", b"\x1b[?25h", b"after\n"]
    assert render(tmp_path, *chunks)[0] == "after\n"


def test_erase_line_clears_and_colours_and_titles_leave_no_trace(tmp_path):
    text, _ = render(tmp_path, b"\x1b[31mred\x1b[0m \x1b]0;title\x07ok\n",
                     b"old text\r\x1b[Knew\n", b"\x1b(B\x1b[mplain\n")
    assert text == "red ok\nnew\nplain\n"


def test_escape_split_between_reads(tmp_path):
    assert render(tmp_path, b"a\x1b", b"[3", b"1mb\x1b[0", b"m\n")[0] == "ab\n"


def test_nul_and_other_controls_never_reach_the_log(tmp_path):
    text, seen = render(tmp_path, b"a\x00b\x07c\tt\n", b"\x00\x00\n")
    assert "\x00" not in text and "\x07" not in text
    assert seen[0] == "abc\tt"


def test_invalid_utf8_becomes_replacement_characters(tmp_path):
    text, _ = render(tmp_path, b"\xff\xfe ok \xe2\x82", b"\xac\n")
    assert text == "\ufffd\ufffd ok \u20ac\n"


def test_a_million_backspaces_and_a_megabyte_line(tmp_path):
    text, _ = render(tmp_path, b"x" * 10 + b"\b" * 1_000_000 + b"y\n",
                     b"z" * (3 << 20) + b"\r" + b"a\n")
    lines = text.split("\n")
    assert lines[0] == "y" + "x" * 9
    assert sum(len(l) for l in lines[1:]) == 3 << 20


PIECES = st.sampled_from([b"\r", b"\n", b"\b", b"\x1b", b"\x1b[", b"\x1b[2K", b"\x1b[A",
                          b"\x1b[3A", b"\x1b[B", b"\x1b[J", b"\x1b[?25l", b"\x1b[?25h",
                          b"\x1b]0;t", b"\x07", b"\x00", b"loss: 0.5", b" ", b"\xe2\x82",
                          b"\x1b[2K", b"\x1b[1A\x1b[2K", b"x\ry", b"\x1b]8;;\x07",
                          b"\xac", b"\xff", b"7", b"8", b"m", b";", b"\x1b7", b"\x1b8"])


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.binary(max_size=64), st.lists(PIECES, max_size=30).map(b"".join)),
                max_size=12))
def test_fuzz_chunks_never_crash_and_the_log_is_clean_utf8(tmp_path, chunks):
    path = tmp_path / "fuzz.log"
    path.unlink(missing_ok=True)
    seen = []  # with a parser attached, frames are reported too
    log = ConsoleLog(str(path), sink=lambda stream, block, t: seen.append(block))
    for chunk in chunks:
        log.feed("stdout", chunk)
    log.close()
    text = path.read_bytes().decode("utf-8")  # raises if not valid UTF-8
    assert "\x00" not in text and "\x1b" not in text and "\r" not in text and "\b" not in text


def test_random_bytes_in_random_chunks(tmp_path):
    rnd = random.Random(7)
    data = bytes(rnd.getrandbits(8) for _ in range(200_000))
    log = ConsoleLog(str(tmp_path / "r.log"))
    i = 0
    while i < len(data):
        n = rnd.randint(1, 5000)
        log.feed("stdout", data[i:i + n])
        i += n
    log.close()
    (tmp_path / "r.log").read_bytes().decode("utf-8")


def test_keras_bar_on_a_real_terminal(store):
    """The bytes on the user's side stay as the program wrote them; output.log is the screen."""
    code = ("import sys\nw = sys.stdout.write\nw('Epoch 1/1\\n')\n"
            "for i in range(1, 5):\n"
            "    f = f'{i}/4 [' + '=' * i + f'] - loss: 0.{i}'\n"
            "    w(f + '\\b' * len(f) + '\\r')\n"
            "w(f + ' - val_loss: 2.0906' + '\\b' * 60 + '\\r\\n')\n")
    term = Terminal(["--quiet", PY, "-c", code])
    try:
        assert term.wait() == 0
        assert b"\b" * 10 in term.output
    finally:
        term.close()
    log = (only_run(store) / "output.log").read_text()
    assert log == "Epoch 1/1\n4/4 [====] - loss: 0.4 - val_loss: 2.0906\n"
    streams = list(store.glob("*/*/streams/stdout.jsonl"))
    assert streams and '"val_loss":2.0906' in streams[0].read_text()


def test_a_megabyte_of_unterminated_escapes_is_no_crash(tmp_path):
    text, _ = render(tmp_path, *[b"\x1b[12;" * 20_000, b"\x1b]0;" * 50_000, b"\x1b", b"[",
                                 b"ok\n"])
    assert text.endswith("k\n")  # `ESC [ o` is a whole sequence: 'o' is its final byte


def test_a_failure_inside_the_model_keeps_the_text_and_the_run_going(tmp_path, monkeypatch):
    from runwrap import notices
    from runwrap.wrap import screen

    def broken(self, text):
        raise RuntimeError("boom")

    notices.warn_once.forget("console-model")
    monkeypatch.setattr(screen.Screen, "feed", broken)
    text, seen = render(tmp_path, b"\x1b[31mred\x1b[0m\rx\n", b"after\n")
    assert text == "redx\nafter\n"  # escapes and controls dropped, '\r' not applied
    assert seen == ["redx", "after"]


def _epochs_seen(lines):
    """The epoch each line the parser got names (frames included), in the order it got them."""
    import re
    return [int(m.group(1)) for line in lines for m in [re.search(r"epoch (\d+)", line)] if m]


def test_a_final_line_between_redrawn_bars_reaches_the_parser_before_the_next_bar(tmp_path):
    # examples/train.py: a '\r' bar, then '\repoch N loss: ...' and a newline, then the next bar.
    frames = []
    seen = []
    log = ConsoleLog(None, sink=lambda stream, block, t: seen.extend(block.split("\n")))
    for chunk in (b"\repoch 1 [## ] loss 1.8800", b"\repoch 1 loss: 1.9000 acc=0.1     \r\n",
                  b"\repoch 2 [   ] loss 1.8000", b"\repoch 2 [## ] loss 1.7800",
                  b"\repoch 2 loss: 1.8000 acc=0.2     \r\n"):
        log.feed("stdout", chunk)
    log.close()
    assert seen == [FRAME + "epoch 1 [## ] loss 1.8800", "epoch 1 loss: 1.9000 acc=0.1",
                    FRAME + "epoch 2 [   ] loss 1.8000", FRAME + "epoch 2 [## ] loss 1.7800",
                    "epoch 2 loss: 1.8000 acc=0.2"]
    text, _ = render(tmp_path, b"\rbar 1\repoch 1 done\r\n\rbar 2\rbar 2!\repoch 2 done\r\n",
                     frames=frames)
    assert text == "epoch 1 done\nepoch 2 done\n"


TQDM_EPOCHS = r"""
import sys
from tqdm import tqdm
nested = sys.argv[1] == "nested"
for e in (tqdm(range(1, 4), desc="epochs", file=sys.stdout, mininterval=0, ncols=80)
          if nested else range(1, 4)):
    bar = tqdm(range(4), desc=f"epoch {e}", file=sys.stdout, mininterval=0, ncols=80,
               position=1 if nested else 0, leave=not nested)
    for i in bar:
        bar.set_postfix(loss=f"{2 - e / 10 - i / 100:.4f}")
    (tqdm.write if nested else print)(f"epoch {e} loss: {2 - e / 10:.4f}", file=sys.stdout)
"""


def test_real_tqdm_bars_reach_the_parser_in_the_order_the_terminal_showed_them(tmp_path):
    import subprocess
    script = tmp_path / "bars.py"
    script.write_text(TQDM_EPOCHS)
    for mode in ("plain", "nested"):
        data = subprocess.run([PY, str(script), mode], stdout=subprocess.PIPE, check=True).stdout
        for size in (len(data), 7):  # whole, and cut into small reads
            seen = []
            log = ConsoleLog(None, sink=lambda stream, block, t: seen.extend(block.split("\n")))
            for i in range(0, len(data), size):
                log.feed("stdout", data[i:i + size])
            log.close()
            epochs = _epochs_seen(seen)
            assert epochs == sorted(epochs) and set(epochs) == {1, 2, 3}, (mode, seen)
            finals = [line for line in seen if line.startswith("epoch ") and "loss:" in line]
            assert finals == [f"epoch {e} loss: {2 - e / 10:.4f}" for e in (1, 2, 3)]
            for e in (1, 2):  # each epoch's last frame comes before its final line
                last = max(i for i, line in enumerate(seen) if f"epoch {e}:" in line)
                assert last < seen.index(f"epoch {e} loss: {2 - e / 10:.4f}")


TQDM_LIGHTNING = r"""
import sys
from tqdm import tqdm
# Lightning's way: one training bar reset every epoch, a validation bar below it (position=1,
# leave=False), and the epoch's line printed above the bars with tqdm.write.
main = tqdm(total=4, file=sys.stdout, mininterval=0, ncols=100)
for e in range(1, 4):
    main.reset(total=4)
    main.set_description(f"Epoch {e}")
    for i in range(4):
        main.update(1)
        main.set_postfix(train_loss=f"{2 - e / 10 - i / 100:.4f}")
    for _ in tqdm(range(2), desc="Validation", file=sys.stdout, mininterval=0, ncols=80,
                  position=1, leave=False):
        pass
    tqdm.write(f"epoch {e} val_acc={e / 10:.2f}", file=sys.stdout)
main.close()
"""


def test_a_line_written_above_nested_bars_reaches_the_parser_before_the_later_frames(tmp_path):
    import subprocess
    script = tmp_path / "bars.py"
    script.write_text(TQDM_LIGHTNING)
    data = subprocess.run([PY, str(script)], stdout=subprocess.PIPE, check=True).stdout
    seen = []
    log = ConsoleLog(str(tmp_path / "output.log"),
                     sink=lambda stream, block, t: seen.extend(block.split("\n")))
    log.feed("stdout", data)
    log.close()
    epochs = [int(line.split()[1].rstrip(":")) for line in seen
              if line.lstrip(FRAME).lower().startswith("epoch ")]
    assert epochs == sorted(epochs) and set(epochs) == {1, 2, 3}, seen
    finals = [line for line in seen if "val_acc" in line]
    assert finals == [f"epoch {e} val_acc={e / 10:.2f}" for e in (1, 2, 3)]
    logged = (tmp_path / "output.log").read_text().splitlines()
    assert [line for line in logged if "val_acc" in line] == finals
    assert logged[-1].startswith("Epoch 3: 100%")
