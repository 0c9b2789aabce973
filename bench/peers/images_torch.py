#!/usr/bin/env python3
"""The image benchmark's peer: the same ResNet18 architecture in PyTorch on CPU (torchvision's resnet18, random
weights: speed only, its final layer dropped so it yields 512 floats), over the same folder of pictures, one at a time
and in batches, decoding (PIL), resizing (shorter side 224, centre crop) and normalizing included, as ours does.
Prints one JSON line like `MlOps.Bench embed-images`.

Usage: images_torch.py --images DIR [--batch 16] [--threads 2]
"""
import argparse
import json
import os
import time

import torch
import torchvision
from PIL import Image
from torchvision import transforms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model = torchvision.models.resnet18(weights=None)
    model.fc = torch.nn.Identity()
    model.eval()
    prepare = transforms.Compose([
        transforms.Resize(224),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    paths = sorted(os.path.join(args.images, name) for name in os.listdir(args.images))
    files = [open(path, "rb").read() for path in paths]

    def embed(batch):
        import io
        tensors = [prepare(Image.open(io.BytesIO(data)).convert("RGB")) for data in batch]
        with torch.no_grad():
            out = model(torch.stack(tensors))
        assert out.shape == (len(batch), 512)
        return out

    def rate(size):
        embed(files[:size])  # warm-up on a run of the same size
        start = time.perf_counter()
        for i in range(0, len(files), size):
            embed(files[i:i + size])
        return len(files) / (time.perf_counter() - start)

    print(json.dumps({
        "implementation": "pytorch",
        "images": len(files),
        "batch": args.batch,
        "oneAtATimePerSecond": round(rate(1), 2),
        "batchedPerSecond": round(rate(args.batch), 2),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
    }))


if __name__ == "__main__":
    main()
