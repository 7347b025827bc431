"""Photos in the domain: only real images, metadata gone, scaled, random names, files deleted with
their rows and with their workshop. On SQLite and PostgreSQL."""
import io

import pytest
from PIL import ExifTags, Image

from facilitator.domain import photos, workshops
from facilitator.domain.errors import NotFound
from facilitator.domain.photos import ImageRefused, ImageTooLarge
from facilitator.models import Photo

from export_helpers import jpeg_with_gps, picture, png_bytes, webp_bytes


def files(root) -> list:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- Checking and cleaning (no database) ------------------------------------------------------

def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(ImageRefused):
        photos.clean_image(b"Hello, I am not a photo.\n" * 10)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    out = io.BytesIO()
    picture().save(out, fmt)
    with pytest.raises(ImageRefused):
        photos.clean_image(out.getvalue())


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(ImageRefused):
        photos.clean_image(jpeg_with_gps()[:2000])


def test_a_jpeg_from_a_phone_comes_back_upright_without_exif_gps_or_comment():
    original = jpeg_with_gps(size=(640, 480), orientation=6)
    assert open_image(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's premise

    clean = photos.clean_image(original)

    image = open_image(clean.data)
    assert clean.format == "JPEG" and image.format == "JPEG"
    assert (image.width, image.height) == (480, 640) == (clean.width, clean.height)  # rotated
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "comment" not in image.info
    assert [marker for marker, _ in image.applist] == ["APP0"]
    for secret in (b"GPS", b"PhoneMaker", b"Phone 15", b"Kreishaus", b"Exif"):
        assert secret not in clean.data


def test_an_oversize_file_is_refused_before_it_is_decoded():
    with pytest.raises(ImageTooLarge) as refused:
        photos.clean_image(jpeg_with_gps(), max_bytes=1024)
    assert refused.value.params == {"max_mb": 1}


def test_a_pixel_flood_is_refused():
    out = io.BytesIO()
    Image.new("L", (8_000, 8_000)).save(out, "PNG")  # a tiny file of 64 megapixels
    assert len(out.getvalue()) < 1024 * 1024

    with pytest.raises(ImageRefused):
        photos.clean_image(out.getvalue())


def test_large_photos_are_scaled_down_to_the_longest_side():
    out = io.BytesIO()
    picture((4000, 3000)).save(out, "JPEG")

    clean = photos.clean_image(out.getvalue())

    assert (clean.width, clean.height) == (photos.MAX_SIDE, photos.MAX_SIDE * 3 // 4)


def test_webp_is_stored_as_jpeg_and_transparent_png_stays_png():
    assert photos.clean_image(webp_bytes()).format == "JPEG"
    clean = photos.clean_image(png_bytes(alpha=True))
    assert clean.format == "PNG" and open_image(clean.data).mode == "RGBA"


def test_a_clean_image_from_an_archive_is_kept_byte_for_byte_and_a_dirty_one_is_cleaned():
    clean = photos.clean_image(jpeg_with_gps())
    assert photos.accept_stored_image(clean.data).data == clean.data
    png = photos.clean_image(png_bytes())
    assert photos.accept_stored_image(png.data).data == png.data

    dirty = jpeg_with_gps(orientation=1)
    accepted = photos.accept_stored_image(dirty)
    assert accepted.data != dirty and len(open_image(accepted.data).getexif()) == 0


# --- Storing (SQLite and PostgreSQL) ----------------------------------------------------------

def test_a_photo_is_stored_under_a_random_name_in_the_workshops_folder(make, session, uploads):
    workshop = make.workshop()

    photo = make.run(photos.add_photo, workshop.id, jpeg_with_gps(), board_id=workshop.boards[0].id,
                     caption="  Pinnwand  ")

    stored = make.fresh(Photo, photo.id)
    assert stored.caption == "Pinnwand" and stored.kind == "photo"
    assert stored.board_id == workshop.boards[0].id
    assert files(uploads) == [uploads / str(workshop.id) / stored.filename]
    assert len(stored.filename) == 28 and stored.filename.endswith(".jpg")
    assert (stored.width, stored.height) == (480, 640)


def test_a_refused_upload_changes_nothing(make, session, uploads):
    workshop = make.workshop()

    with pytest.raises(ImageRefused):
        make.run(photos.add_photo, workshop.id, b"%PDF-1.7 not an image")

    assert make.count(Photo) == 0 and files(uploads) == []


def test_a_board_of_another_workshop_is_refused(make, session, uploads):
    workshop, other = make.workshop(), make.workshop()

    with pytest.raises(NotFound):
        make.run(photos.add_photo, workshop.id, png_bytes(), board_id=other.boards[0].id)

    assert make.count(Photo) == 0 and files(uploads) == []


def test_a_new_logo_replaces_the_old_one_and_its_file(make, session, uploads):
    workshop = make.workshop()
    first = make.run(photos.add_photo, workshop.id, png_bytes(alpha=True), kind="logo")

    second = make.run(photos.add_photo, workshop.id, png_bytes(alpha=True), kind="logo")

    assert make.count(Photo, kind="logo") == 1
    assert files(uploads) == [uploads / str(workshop.id) / second.filename]
    assert first.filename != second.filename
    assert photos.logo_of(session, workshop.id).id == second.id


def test_caption_and_board_can_be_changed(make, session, uploads):
    workshop = make.workshop()
    photo = make.run(photos.add_photo, workshop.id, png_bytes())

    make.run(photos.update_photo, workshop.id, photo.id, caption="Flipchart Tisch 2",
             board_id=workshop.boards[1].id)

    stored = make.fresh(Photo, photo.id)
    assert (stored.caption, stored.board_id) == ("Flipchart Tisch 2", workshop.boards[1].id)


def test_deleting_a_photo_deletes_its_file(make, session, uploads):
    workshop = make.workshop()
    keep = make.run(photos.add_photo, workshop.id, png_bytes())
    gone = make.run(photos.add_photo, workshop.id, png_bytes())

    make.run(photos.delete_photo, workshop.id, gone.id)

    assert files(uploads) == [uploads / str(workshop.id) / keep.filename]
    with pytest.raises(NotFound):
        make.run(photos.delete_photo, workshop.id, gone.id)


def test_deleting_a_workshop_deletes_its_files_and_no_others(make, session, uploads):
    doomed, other = make.workshop(), make.workshop()
    make.run(photos.add_photo, doomed.id, png_bytes())
    make.run(photos.add_photo, doomed.id, png_bytes(alpha=True), kind="logo")
    kept = make.run(photos.add_photo, other.id, png_bytes())

    make.run(workshops.delete_workshop, doomed.id)

    assert make.count(Photo, workshop_id=doomed.id) == 0
    assert files(uploads) == [uploads / str(other.id) / kept.filename]
    assert not (uploads / str(doomed.id)).exists()


def test_a_truncated_jpeg_is_refused_after_weasyprint_made_pillow_lenient():
    import weasyprint  # noqa: F401 - sets ImageFile.LOAD_TRUNCATED_IMAGES = True on import
    from PIL import ImageFile
    assert ImageFile.LOAD_TRUNCATED_IMAGES

    with pytest.raises(ImageRefused):
        photos.clean_image(jpeg_with_gps()[:2000])
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # the PDF renderer keeps its setting
