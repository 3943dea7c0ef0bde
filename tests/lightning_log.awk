# lightning_log.awk — rewrites an lrscope metrics.csv in the layout of
# PyTorch Lightning's CSVLogger (what `self.log("train_loss", ...)`,
# `self.log("val_acc", ...)` and a LearningRateMonitor write): a row per
# training step with its loss, accuracy and LR, and a separate row, sparse,
# per validation. For README's screenshot of `lrscope watch` and for trying
# watch on a log that grows:
#     awk -f tests/lightning_log.awk RUN/metrics.csv > metrics.csv
BEGIN {
    FS = ","
    print "epoch,lr-SGD,step,train_acc_step,train_loss_step,val_acc,val_loss"
}
NR > 1 {
    epoch = int($2)
    printf "%d,%s,%s,%s,%s,,\n", epoch, $3, $1, $7, $5
    if ($9 != "")
        printf "%d,,%s,,,%s,%s\n", epoch, $1, $9, $8
}
