"""A person's authenticator app, as the tests use it.

The server accepts each TOTP time step once (a code never signs in twice), so a test that needs
several codes takes each from a later step than the last: the previous, the current, then the
next one, all within the window the server accepts. It never hands out a code in the last
seconds of a step, so a code cannot go stale between being typed and being checked.
"""

import time

import pyotp

STEP_SECONDS = 30
EDGE_SECONDS = 3  # how close to the end of a step a code is never given


class Authenticator:
    def __init__(self, secret: str):
        self.totp = pyotp.TOTP(secret)
        self.last_step: int | None = None

    def code(self) -> str:
        """A code the server has not seen yet, for the earliest step it still accepts."""
        while True:
            now = time.time()
            if STEP_SECONDS - now % STEP_SECONDS < EDGE_SECONDS:
                time.sleep(STEP_SECONDS - now % STEP_SECONDS + 0.05)
                continue
            current = int(now // STEP_SECONDS)
            step = current - 1 if self.last_step is None else max(self.last_step + 1, current - 1)
            if step <= current + 1:
                self.last_step = step
                return self.totp.generate_otp(step)
            time.sleep(STEP_SECONDS - now % STEP_SECONDS + 0.05)
