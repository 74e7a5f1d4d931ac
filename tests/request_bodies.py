"""A large request body made as it is read, to show that nothing read it."""

from __future__ import annotations

from django.test import Client


class LazyMultipartBody:
    """A multipart body of ``size`` bytes made as it is read, counting what was read."""

    boundary = "limitsboundary"

    def __init__(self, size: int) -> None:
        self.head = (
            f"--{self.boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.size = size
        self.bytes_read = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _byte(self, i: int) -> bytes:
        if i < len(self.head):
            return self.head[i : i + 1]
        tail_at = self.size - len(self.tail)
        return self.tail[i - tail_at : i - tail_at + 1] if i >= tail_at else b"x"

    def read(self, n: int = -1) -> bytes:
        end = self.size if n is None or n < 0 else min(self.size, self.bytes_read + n)
        start, self.bytes_read = self.bytes_read, end
        head_end = len(self.head)
        tail_at = self.size - len(self.tail)
        if head_end <= start and end <= tail_at:
            return b"x" * (end - start)
        return b"".join(self._byte(i) for i in range(start, end))

    def readline(self, size: int = -1) -> bytes:
        return self.read(size if size and size > 0 else 64 * 1024)


def post_body(client: Client, path: str, body: LazyMultipartBody, **extra):
    return client.generic(
        "POST",
        path,
        CONTENT_LENGTH=str(body.size),
        CONTENT_TYPE=body.content_type,
        **{"wsgi.input": body},
        **extra,
    )
