"""Photos of flipcharts and pin boards, and the organiser's logo: checked, cleaned, stored.

Only real images are kept (JPEG, PNG or WebP, recognised by their content, never by their name).
Every upload is decoded and encoded again: EXIF orientation is applied first, then all metadata
(EXIF with GPS position, camera serial numbers, XMP, comments) is left behind, and large photos are
scaled down. Files get random names in a folder per workshop under the upload directory; the
uploaded file's name is never kept. Deleting a photo or its workshop deletes the file too.
"""
import io
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageFile, ImageOps
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import PHOTO_KINDS, Board, Photo
from . import validate
from .changes import end_read_before_write
from .errors import DomainError, InvalidInput, NotFound

MAX_BYTES = 10 * 1024 * 1024
# Longest side after scaling: sharp enough to read a flipchart on A4, small enough for the PDF.
MAX_SIDE = 2400
LOGO_MAX_SIDE = 1200
# Refused before decoding: 50 megapixels are already 150 MB in memory.
MAX_PIXELS = 50_000_000
CAPTION_MAX_CHARS = 300
MAX_PHOTOS_PER_WORKSHOP = 500
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# What is stored: JPEG for photos, PNG where there is transparency or the source was lossless.
STORED = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
JPEG_QUALITY = 85


class ImageRefused(DomainError):
    """Not an image in an accepted format (or damaged)."""
    code = "image_refused"


class ImageTooLarge(DomainError):
    code = "image_too_large"


class TooManyPhotos(DomainError):
    code = "too_many_photos"


@dataclass
class CleanImage:
    """An image ready to store: re-encoded, without metadata."""
    data: bytes
    format: str  # JPEG | PNG
    width: int
    height: int

    @property
    def extension(self) -> str:
        return STORED[self.format][0]

    @property
    def media_type(self) -> str:
        return STORED[self.format][1]


def _too_large(max_bytes: int) -> ImageTooLarge:
    return ImageTooLarge(max_mb=max(1, round(max_bytes / (1024 * 1024))))


def _open(data: bytes) -> Image.Image:
    """Open by content, only the accepted formats; refuse pixel floods before decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Exception as error:  # noqa: BLE001 - whatever a decoder raises, the file is refused
        raise ImageRefused(str(error)) from None
    if image.width * image.height > MAX_PIXELS or min(image.size) < 1:
        image.close()
        raise ImageRefused("too many pixels")
    return image


def _load_whole(image: Image.Image) -> None:
    """Decode every pixel, refusing a truncated file even where WeasyPrint (imported in the same
    process) has switched Pillow to accepting truncated images for everyone."""
    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def clean_image(data: bytes, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE) -> CleanImage:
    """Check an uploaded file by its content and re-encode it: upright, metadata-free, scaled
    down to `max_side`. Raises ImageTooLarge or ImageRefused and changes nothing."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    image = _open(data)
    try:
        source_format = image.format
        if source_format == "JPEG":
            # Decode big JPEGs at 1/2, 1/4 or 1/8 scale right away: far less memory and time.
            image.draft("RGB", (max_side, max_side))
        _load_whole(image)
        icc_profile = image.info.get("icc_profile")
        # Rotate as the camera meant it, before the orientation tag is dropped with the rest.
        image = ImageOps.exif_transpose(image)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    except Exception as error:  # noqa: BLE001 - damaged data, broken EXIF: refused alike
        raise ImageRefused(str(error)) from None
    transparent = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    if transparent:
        stored_format, image = "PNG", image.convert("RGBA")
    else:
        stored_format = "PNG" if source_format == "PNG" else "JPEG"
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    # Nothing of the source's metadata travels on: not EXIF, XMP, comments or text chunks.
    image.info = {}
    options = {"icc_profile": icc_profile} if icc_profile else {}
    if stored_format == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True)
    else:
        options.update(optimize=True)
    out = io.BytesIO()
    image.save(out, stored_format, **options)
    return CleanImage(out.getvalue(), stored_format, image.width, image.height)


_KEPT_PNG_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB",
                    b"iCCP", b"sBIT", b"pHYs", b"bKGD"}
_KEPT_JPEG_APP = {"APP0": b"JFIF\x00", "APP2": b"ICC_PROFILE\x00", "APP14": b"Adobe"}


def _carries_metadata(image: Image.Image, data: bytes) -> bool:
    """Whether a stored-format file holds anything beyond pixels and colour information."""
    if image.format == "JPEG":
        if "comment" in image.info or not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
            return True
        return any(_KEPT_JPEG_APP.get(marker) is None
                   or not payload.startswith(_KEPT_JPEG_APP[marker])
                   for marker, payload in image.applist)
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind not in _KEPT_PNG_CHUNKS:
            return True
        position += 12 + length
        if kind == b"IEND":
            return position != len(data)
    return True


def accept_stored_image(data: bytes, max_bytes: int = MAX_BYTES,
                        max_side: int = MAX_SIDE) -> CleanImage:
    """An image from an archive: kept byte for byte when it is a clean JPEG or PNG within the
    limits (as this app stores them, so archives survive any number of round trips unchanged),
    otherwise cleaned like an upload."""
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    image = _open(data)
    try:
        image.load()
        clean = (image.format in STORED and max(image.size) <= max_side
                 and not _carries_metadata(image, data)
                 and image.getexif().get(ExifTags.Base.Orientation) is None)
        size = image.size
        stored_format = image.format
    except Exception as error:  # noqa: BLE001
        raise ImageRefused(str(error)) from None
    finally:
        image.close()
    if clean:
        return CleanImage(data, stored_format, *size)
    return clean_image(data, max_bytes, max_side)


# --- Storage ----------------------------------------------------------------------------------

class NoUploadDirectory(RuntimeError):
    """The session's opener did not say where uploads live: a programming error, not input."""


def upload_root(session: Session) -> Path:
    """The upload directory, passed in by whoever opened the session, in its info
    ("upload_path"), as the announcer is: the app (UPLOAD_PATH), a job, a command. The domain
    reads no configuration and no environment of its own."""
    configured = session.info.get("upload_path")
    if not configured:
        raise NoUploadDirectory("put the upload directory in the session's info['upload_path']")
    return Path(configured)


def path_of(session: Session, photo: Photo) -> Path:
    """Where the photo's file lies (for serving it, and for the record's renderer)."""
    return upload_root(session) / str(photo.workshop_id) / photo.filename


def write_file(session: Session, workshop_id: int, image: CleanImage) -> tuple[str, Path]:
    """Store a cleaned image under a new random name; returns the name and the path."""
    folder = upload_root(session) / str(workshop_id)
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{secrets.token_urlsafe(18)}.{image.extension}"
    path = folder / filename
    # Written under a temporary name and renamed: a half-written file is never served.
    partial = folder / f".{filename}.part"
    partial.write_bytes(image.data)
    partial.replace(path)
    return filename, path


def _remove_files(paths) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        try:
            path.parent.rmdir()  # only when empty: the workshop's last file is gone
        except OSError:
            pass


def _board_id(session: Session, workshop_id: int, board_id) -> int | None:
    if board_id in (None, ""):
        return None
    board = session.get(Board, validate.integer(board_id, "board_id"))
    if board is None or board.workshop_id != workshop_id:
        raise NotFound(field="board_id")
    return board.id


def add_photo(session: Session, workshop_id: int, data: bytes, *, kind: str = "photo",
              board_id=None, caption="", max_bytes: int = MAX_BYTES,
              image: CleanImage | None = None) -> Photo:
    """Store an uploaded photo (or the logo, which replaces an earlier one). The image is checked
    and cleaned first (`image` if the caller cleaned it already); a refusal changes nothing."""
    if kind not in PHOTO_KINDS:
        raise InvalidInput(field="kind")
    caption = validate.text(caption, CAPTION_MAX_CHARS, "caption", required=False)
    board_id = None if kind == "logo" else _board_id(session, workshop_id, board_id)
    if kind == "photo" and session.scalar(select(func.count(Photo.id)).where(
            Photo.workshop_id == workshop_id)) >= MAX_PHOTOS_PER_WORKSHOP:
        raise TooManyPhotos(max=MAX_PHOTOS_PER_WORKSHOP)
    if image is None:
        image = clean_image(data, max_bytes, LOGO_MAX_SIDE if kind == "logo" else MAX_SIDE)
    replaced = [path_of(session, old) for old in photos_of(session, workshop_id, "logo")
                ] if kind == "logo" else []
    filename, path = write_file(session, workshop_id, image)
    try:
        # Decoded before: the transaction that writes starts now and is short.
        end_read_before_write(session)
        if kind == "logo":
            for old in photos_of(session, workshop_id, "logo"):
                session.delete(old)
        photo = Photo(workshop_id=workshop_id, board_id=board_id, kind=kind, filename=filename,
                      caption=caption, width=image.width, height=image.height)
        session.add(photo)
        session.commit()
    except BaseException:
        session.rollback()
        _remove_files([path])
        raise
    _remove_files(replaced)
    return photo


def get_photo(session: Session, workshop_id: int, photo_id) -> Photo:
    photo = session.get(Photo, validate.integer(photo_id, "photo_id"))
    if photo is None or photo.workshop_id != workshop_id:
        raise NotFound(field="photo_id")
    return photo


def find_by_filename(session: Session, workshop_id: int, filename: str) -> Photo:
    """The photo a URL names; its random file name is what makes the URL unguessable."""
    photo = session.scalar(select(Photo).where(Photo.workshop_id == workshop_id,
                                               Photo.filename == str(filename)))
    if photo is None:
        raise NotFound(field="photo_id")
    return photo


def update_photo(session: Session, workshop_id: int, photo_id, caption=None,
                 board_id=...) -> Photo:
    """Change the caption, or the board a photo belongs to (None: the whole workshop)."""
    photo = get_photo(session, workshop_id, photo_id)
    if caption is not None:
        photo.caption = validate.text(caption, CAPTION_MAX_CHARS, "caption", required=False)
    if board_id is not ... and photo.kind == "photo":
        photo.board_id = _board_id(session, workshop_id, board_id)
    session.commit()
    return photo


def delete_photo(session: Session, workshop_id: int, photo_id) -> None:
    """Delete the photo and its file."""
    photo = get_photo(session, workshop_id, photo_id)
    path = path_of(session, photo)
    session.delete(photo)
    session.commit()
    _remove_files([path])


def photos_of(session: Session, workshop_id: int, kind: str | None = "photo") -> list[Photo]:
    """A workshop's photos (or logo), board by board, then in upload order."""
    query = select(Photo).outerjoin(Board, Board.id == Photo.board_id).where(
        Photo.workshop_id == workshop_id)
    if kind is not None:
        query = query.where(Photo.kind == kind)
    return list(session.scalars(query.order_by(Board.position.is_(None), Board.position,
                                               Photo.created_at, Photo.id)))


def logo_of(session: Session, workshop_id: int) -> Photo | None:
    logos = photos_of(session, workshop_id, "logo")
    return logos[-1] if logos else None


def files_of(session: Session, workshop_id: int) -> list[Path]:
    """Every file of the workshop: collect them before deleting the workshop's rows."""
    return [path_of(session, photo) for photo in photos_of(session, workshop_id, None)]


def remove_files(paths) -> None:
    """Delete files whose rows are gone (after the deleting transaction committed)."""
    _remove_files(paths)
