"""Make the page images the README shows: the main example as PDF, and its DOCX as LibreOffice
lays it out, so the pictures stay current with the template.

    python3 scripts/page_images.py        # writes docs/images/eu-china-summit-{pdf,docx}-N.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LETTER = ROOT / "examples" / "eu-china-summit.yaml"
IMAGES = ROOT / "docs" / "images"


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("eu-china-summit-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run([sys.executable, "-m", "drafter", "render", str(LETTER), "--out",
                        str(out)], check=True)
        subprocess.run(["soffice", f"-env:UserInstallation={(out / 'lo').as_uri()}",
                        "--headless", "--convert-to", "pdf", "--outdir", str(out / "docx"),
                        str(out / "eu-china-summit.docx")], check=True, capture_output=True)
        for kind, pdf in (("pdf", out / "eu-china-summit.pdf"),
                          ("docx", out / "docx" / "eu-china-summit.pdf")):
            subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf),
                            str(IMAGES / f"eu-china-summit-{kind}")], check=True)
    for image in sorted(IMAGES.glob("eu-china-summit-*.png")):
        print(image.relative_to(ROOT))


if __name__ == "__main__":
    main()
