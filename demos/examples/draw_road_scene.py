"""Draws road_scene.png: a simple synthetic street for the detection tab (``python demos/examples/draw_road_scene.py``).

Flat shapes, no photo: detectors trained on photos find little in it; it is there to exercise the tab offline
(vehicles, a traffic light, a stop sign and a wet patch, the road-condition case).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 640, 400


def car(draw: ImageDraw.ImageDraw, x: int, y: int, length: int, color: tuple[int, int, int]) -> None:
    height = length // 3
    draw.rounded_rectangle([x, y - height, x + length, y], radius=8, fill=color, outline=(30, 30, 30))
    cabin = [x + length // 5, y - height - height * 2 // 3, x + length * 4 // 5, y - height]
    draw.rounded_rectangle(cabin, radius=6, fill=color, outline=(30, 30, 30))
    draw.rectangle([cabin[0] + 6, cabin[1] + 5, cabin[2] - 6, cabin[3]], fill=(170, 210, 235))
    for wheel_x in (x + length // 5, x + length * 4 // 5):
        r = height // 2
        draw.ellipse([wheel_x - r, y - r, wheel_x + r, y + r], fill=(25, 25, 25))
        draw.ellipse([wheel_x - r // 2, y - r // 2, wheel_x + r // 2, y + r // 2], fill=(150, 150, 150))


def truck(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    draw.rectangle([x, y - 90, x + 150, y - 10], fill=(230, 230, 225), outline=(40, 40, 40))
    draw.rectangle([x + 150, y - 60, x + 200, y - 10], fill=(200, 50, 40), outline=(40, 40, 40))
    draw.rectangle([x + 160, y - 52, x + 190, y - 32], fill=(170, 210, 235))
    for wheel_x in (x + 30, x + 120, x + 175):
        draw.ellipse([wheel_x - 16, y - 26, wheel_x + 16, y + 6], fill=(25, 25, 25))


def draw_scene() -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 170, WIDTH, HEIGHT], fill=(95, 150, 80))                 # grass
    draw.polygon([(250, 170), (390, 170), (WIDTH, HEIGHT), (0, HEIGHT)], fill=(80, 80, 85))  # road
    for i in range(6):                                                          # lane markings
        top = 180 + i * 38
        draw.polygon([(317, top), (323, top), (325 + i * 3, top + 22), (315 - i * 3, top + 22)],
                     fill=(240, 240, 240))
    draw.ellipse([70, 330, 260, 380], fill=(110, 125, 150))                     # wet patch
    draw.rectangle([540, 110, 548, 260], fill=(60, 60, 60))                     # traffic light
    draw.rounded_rectangle([528, 40, 560, 120], radius=6, fill=(30, 30, 30))
    for i, color in enumerate([(230, 40, 40), (90, 70, 20), (60, 90, 60)]):
        draw.ellipse([535, 46 + i * 24, 553, 64 + i * 24], fill=color)
    draw.rectangle([95, 190, 101, 300], fill=(120, 120, 120))                   # stop sign
    draw.regular_polygon((98, 170, 28), 8, rotation=22.5, fill=(200, 30, 30), outline=(255, 255, 255))
    draw.text((80, 165), "STOP", fill=(255, 255, 255))
    truck(draw, 300, 250)
    car(draw, 150, 330, 150, (30, 80, 180))
    car(draw, 380, 370, 180, (210, 170, 30))
    return image


if __name__ == "__main__":
    draw_scene().save(Path(__file__).with_name("road_scene.png"), optimize=True)
