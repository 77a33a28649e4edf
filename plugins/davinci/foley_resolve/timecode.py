"""Frames as the timecode Resolve shows, for messages only (no placement math happens here)."""


def nominal_rate(setting: str) -> int:
    """"23.976" -> 24, "29.97 DF" -> 30: the frame count per timecode second."""
    try:
        return max(1, int(round(float(str(setting).split()[0]))))
    except (ValueError, IndexError):
        return 24


def timecode(frame: int, rate: int) -> str:
    """Non-drop timecode of an absolute frame (drop-frame timelines read a few frames off per hour, fine for messages)."""
    frames = int(frame) % rate
    seconds = int(frame) // rate
    return "{:02d}:{:02d}:{:02d}:{:02d}".format(seconds // 3600, seconds // 60 % 60, seconds % 60, frames)
