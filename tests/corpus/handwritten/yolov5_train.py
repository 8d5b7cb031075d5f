"""ultralytics/yolov5 train.py and val.py (the last commit using tqdm with TQDM_BAR_FORMAT):
the hyperparameters line, per epoch the header `Epoch GPU_mem box_loss obj_loss cls_loss
Instances Size` over a real tqdm bar whose description is the row of running means, the
validation bar (`Class Images Instances P R mAP50 mAP50-95: 100%|…`) and the `all` row, and
after training the per-class rows and the speeds. Logging and tqdm both go to stderr."""
import logging
import random

from tqdm import tqdm

from _case import Case, printed

case = Case("ultralytics/yolov5", "train.py", "50a5c985d77dfe449f1e6ca69c234924078c80ac",
            either=["epoch", "gpu_mem", "size", "speed", "person*", "car*", "dog*"])
TQDM_BAR_FORMAT = "{l_bar}{bar:10}{r_bar}"  # tqdm bar format
logging.basicConfig(format="%(message)s", level=logging.INFO)  # set_logging("yolov5")
LOGGER = logging.getLogger("yolov5")
rnd = random.Random(20)


def colorstr(*inputs):
    *args, string = inputs if len(inputs) > 1 else ("blue", "bold", inputs[0])
    colors = {"blue": "\033[34m", "bold": "\033[1m", "end": "\033[0m"}
    return "".join(colors[x] for x in args) + f"{string}" + colors["end"]


hyp = {"lr0": 0.01, "lrf": 0.01, "momentum": 0.937, "weight_decay": 0.0005, "warmup_epochs": 3.0,
       "warmup_momentum": 0.8, "warmup_bias_lr": 0.1, "box": 0.05, "cls": 0.5, "cls_pw": 1.0,
       "obj": 1.0, "obj_pw": 1.0, "iou_t": 0.2, "anchor_t": 4.0, "fl_gamma": 0.0, "hsv_h": 0.015,
       "hsv_s": 0.7, "hsv_v": 0.4, "degrees": 0.0, "translate": 0.1, "scale": 0.5, "shear": 0.0,
       "perspective": 0.0, "flipud": 0.0, "fliplr": 0.5, "mosaic": 1.0, "mixup": 0.0,
       "copy_paste": 0.0}
LOGGER.info(colorstr("hyperparameters: ") + ", ".join(f"{k}={v}" for k, v in hyp.items()))
imgsz, epochs, nb, nval, seen = 640, 3, 8, 4, 128
names = {0: "person", 1: "car", 2: "dog"}
LOGGER.info(
    f"Image sizes {imgsz} train, {imgsz} val\n"
    f"Using {8} dataloader workers\n"
    f"Logging results to {colorstr('bold', 'runs/train/exp')}\n"
    f"Starting training for {epochs} epochs..."
)


def validate(epoch, verbose):
    s = ("%22s" + "%11s" * 6) % ("Class", "Images", "Instances", "P", "R", "mAP50", "mAP50-95")
    for _ in tqdm(range(nval), desc=s, bar_format=TQDM_BAR_FORMAT):
        pass
    mp, mr = 0.5 + 0.1 * epoch + rnd.random() * 0.05, 0.4 + 0.1 * epoch
    map50, map_ = mp * 0.9, mp * 0.55
    pf = "%22s" + "%11i" * 2 + "%11.3g" * 4  # print format
    LOGGER.info(pf % ("all", seen, 929, mp, mr, map50, map_))
    case.want(None, {f"{h}|val/{h}|all/{h}": printed(v, "11.3g")
                     for h, v in zip(("P", "R", "mAP50", "mAP50-95"), (mp, mr, map50, map_))})
    if verbose:
        for c in names:
            p, r = mp + rnd.random() * 0.1, mr + rnd.random() * 0.1
            LOGGER.info(pf % (names[c], seen, 300 + c, p, r, p * 0.9, p * 0.55))


for epoch in range(epochs):
    LOGGER.info(("\n" + "%11s" * 7) % ("Epoch", "GPU_mem", "box_loss", "obj_loss", "cls_loss",
                                       "Instances", "Size"))
    pbar = tqdm(enumerate(range(nb)), total=nb, bar_format=TQDM_BAR_FORMAT)
    mloss = [0.0, 0.0, 0.0]
    for i, _ in pbar:
        loss_items = [0.1 / (1 + epoch) + rnd.random() * 0.01, 0.07 + rnd.random() * 0.01,
                      0.03 / (1 + epoch) + rnd.random() * 0.005]
        mloss = [(m * i + x) / (i + 1) for m, x in zip(mloss, loss_items)]
        mem = f"{3.21:.3g}G"
        pbar.set_description(
            ("%11s" * 2 + "%11.4g" * 5)
            % (f"{epoch}/{epochs - 1}", mem, *mloss, rnd.randrange(80, 200), imgsz)
        )
        # The bar shows the running means; the last ones are the epoch's.
        values = {f"{k}|train/{k}": printed(v, "11.4g")
                  for k, v in zip(("box_loss", "obj_loss", "cls_loss"), mloss)}
        (case.want if i == nb - 1 else case.may)(epoch, values)
    validate(epoch, verbose=False)
LOGGER.info(f"\n{epochs} epochs completed in {0.012:.3f} hours.")
LOGGER.info(f"\nValidating {'runs/train/exp/weights/best.pt'}...")
validate(epochs - 1, verbose=True)
shape = (32, 3, imgsz, imgsz)
LOGGER.info(f"Speed: %.1fms pre-process, %.1fms inference, %.1fms NMS per image at shape {shape}"
            % (0.2, 5.1, 1.2))
LOGGER.info(f"Results saved to {colorstr('bold', 'runs/train/exp')}")
