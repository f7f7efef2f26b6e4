//! Checking and re-encoding an upload (SPEC R3.4; issue 13). Nothing an
//! uploader sends is served as they sent it:
//!
//! 1. the type is read from the first bytes (JPEG, PNG or WebP), never from
//!    the name or the declared type; SVG, HTML and everything else is
//!    refused with a sentence saying so;
//! 2. the dimensions are read from the header and refused over the limits
//!    before anything is decoded (the decoder runs under `image::Limits`
//!    too, so a header that lies cannot allocate more);
//! 3. the pixels are decoded and encoded afresh — no metadata (EXIF, GPS,
//!    comments) and no trailing bytes survive, so a PNG with a script
//!    appended comes out a clean image — into a web size (at most
//!    [`WEB_MAX`] px on the long side) and a thumbnail ([`THUMB_MAX`] px):
//!    JPEG when the image is opaque, PNG when it has transparency.

use image::{
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    imageops::FilterType,
    DynamicImage, ExtendedColorType, ImageEncoder, ImageFormat, ImageReader,
};
use std::io::Cursor;

/// The web size's longest side.
pub const WEB_MAX: u32 = 2048;
/// The thumbnail's longest side.
pub const THUMB_MAX: u32 = 480;

/// How large an upload's image may be.
#[derive(Clone, Copy, Debug)]
pub struct ImageLimits {
    pub max_dimension: u32,
    pub max_pixels: u64,
}

/// Why an upload was refused: each is the sentence shown beside the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Choose a file to upload.")]
    Empty,
    #[error("This file is larger than {} MB. Choose a smaller image.", .max_bytes / (1024 * 1024))]
    TooLarge { max_bytes: usize },
    #[error("This is an SVG or web page, not a photo. Upload a JPEG, PNG or WebP image.")]
    Markup,
    #[error(
        "This file isn't a JPEG, PNG or WebP image, whatever its name says. Upload one of those."
    )]
    NotAnImage,
    #[error(
        "This image is {width} × {height} pixels; the most we take is {max} pixels on a side \
         and {mp} megapixels. Make it smaller and try again."
    )]
    TooManyPixels {
        width: u32,
        height: u32,
        max: u32,
        mp: u64,
    },
    #[error(
        "This image is damaged or incomplete, so we couldn't read it. Export it again and retry."
    )]
    Unreadable,
}

impl Refusal {
    /// A short code for the no-JavaScript redirect (`?upload_error=…`).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Empty => "empty",
            Refusal::TooLarge { .. } => "too_large",
            Refusal::Markup => "markup",
            Refusal::NotAnImage => "not_an_image",
            Refusal::TooManyPixels { .. } => "too_many_pixels",
            Refusal::Unreadable => "unreadable",
        }
    }
}

/// One re-encoded file.
#[derive(Clone, Debug)]
pub struct EncodedFile {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The web size and the thumbnail, both of `content_type`.
#[derive(Clone, Debug)]
pub struct Processed {
    pub content_type: &'static str,
    pub web: EncodedFile,
    pub thumb: EncodedFile,
}

/// The format the first bytes say, if it is one we take.
pub fn sniff(bytes: &[u8]) -> Result<ImageFormat, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(ImageFormat::Jpeg);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(ImageFormat::Png);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Ok(ImageFormat::WebP);
    }
    // Text that starts with markup (after a byte-order mark and blanks):
    // SVG, HTML, XML. Named for what it is, so the person understands.
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'<') {
        return Err(Refusal::Markup);
    }
    Err(Refusal::NotAnImage)
}

/// Checks `bytes` and re-encodes them (CPU-bound: run it off the async
/// runtime).
pub fn process(bytes: &[u8], limits: ImageLimits) -> Result<Processed, Refusal> {
    let format = sniff(bytes)?;
    let too_many = |width: u32, height: u32| Refusal::TooManyPixels {
        width,
        height,
        max: limits.max_dimension,
        mp: limits.max_pixels / 1_000_000,
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| Refusal::Unreadable)?;
    if width == 0 || height == 0 {
        return Err(Refusal::Unreadable);
    }
    if width > limits.max_dimension
        || height > limits.max_dimension
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(too_many(width, height));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_dimension);
    decoder_limits.max_image_height = Some(limits.max_dimension);
    // The decoded pixels (up to 16 bytes each) and some slack.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(16) + 64 * 1024 * 1024);
    reader.limits(decoder_limits);
    let image = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => too_many(width, height),
        _ => Refusal::Unreadable,
    })?;
    let alpha = image.color().has_alpha();
    let web = encode(&fit(&image, WEB_MAX), alpha)?;
    let thumb = encode(&fit(&image, THUMB_MAX), alpha)?;
    Ok(Processed {
        content_type: if alpha { "image/png" } else { "image/jpeg" },
        web,
        thumb,
    })
}

/// The image scaled down to fit `max` on its long side (never up).
fn fit(image: &DynamicImage, max: u32) -> DynamicImage {
    if image.width() <= max && image.height() <= max {
        image.clone()
    } else {
        image.resize(max, max, FilterType::Lanczos3)
    }
}

fn encode(image: &DynamicImage, alpha: bool) -> Result<EncodedFile, Refusal> {
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::new();
    let written = if alpha {
        let rgba = image.to_rgba8();
        PngEncoder::new(&mut out).write_image(
            rgba.as_raw(),
            width,
            height,
            ExtendedColorType::Rgba8,
        )
    } else {
        let rgb = image.to_rgb8();
        JpegEncoder::new_with_quality(&mut out, 85).write_image(
            rgb.as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
        )
    };
    written.map_err(|e| {
        tracing::warn!(error = %e, "re-encoding an upload failed");
        Refusal::Unreadable
    })?;
    Ok(EncodedFile {
        bytes: out,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ImageLimits = ImageLimits {
        max_dimension: 8000,
        max_pixels: 40_000_000,
    };

    fn png(width: u32, height: u32, alpha: bool) -> Vec<u8> {
        let image = if alpha {
            DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
                width,
                height,
                image::Rgba([10, 20, 30, 128]),
            ))
        } else {
            DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
                width,
                height,
                image::Rgb([10, 20, 30]),
            ))
        };
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_script_appended_to_a_png_does_not_survive() {
        let mut bytes = png(40, 30, false);
        bytes.extend_from_slice(b"<script>alert(document.cookie)</script>");
        let out = process(&bytes, LIMITS).unwrap();
        assert_eq!(out.content_type, "image/jpeg");
        assert!(out.web.bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
        let needle = b"<script>";
        assert!(!out.web.bytes.windows(needle.len()).any(|w| w == needle));
        assert_eq!((out.web.width, out.web.height), (40, 30));
    }

    #[test]
    fn transparency_stays_png_and_large_images_shrink() {
        let out = process(&png(3000, 1500, true), LIMITS).unwrap();
        assert_eq!(out.content_type, "image/png");
        assert_eq!((out.web.width, out.web.height), (2048, 1024));
        assert_eq!((out.thumb.width, out.thumb.height), (480, 240));
    }

    #[test]
    fn markup_and_other_files_are_named_for_what_they_are() {
        assert_eq!(
            sniff(b"\xEF\xBB\xBF  <svg xmlns='http://www.w3.org/2000/svg'/>"),
            Err(Refusal::Markup)
        );
        assert_eq!(sniff(b"<!doctype html><p>hi"), Err(Refusal::Markup));
        assert_eq!(sniff(b"GIF89a...."), Err(Refusal::NotAnImage));
        assert_eq!(sniff(b""), Err(Refusal::Empty));
        // A PNG signature with nothing behind it is unreadable, not trusted.
        assert_eq!(
            process(b"\x89PNG\r\n\x1a\n", LIMITS).unwrap_err(),
            Refusal::Unreadable
        );
    }
}
