# bash completion for lrscope: subcommands, options (read from the program's
# own --help, so they never disagree), the values of options that take a
# name (policies, styles, model presets...), and run folders for plot and
# export. Installed by `make install` as
# $(PREFIX)/share/bash-completion/completions/lrscope.

# Run folders: directories holding a metrics.csv or a config, one or two
# levels under the word typed so far (so `lrscope export <TAB>` offers
# runs/*); plain directories when none is found, to keep descending.
_lrscope_runs()
{
    local cur=$1 base=$1 d
    [[ -d $cur && $cur != */ ]] && base=$cur/
    for d in "$base"*/ "$base"*/*/; do
        [[ -d $d ]] || continue
        d=${d%/}
        if [[ -f $d/metrics.csv || -f $d/config ]]; then
            COMPREPLY+=("$d")
        fi
    done
    if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
    fi
}

# The long options `lrscope SUBCOMMAND --help` lists.
_lrscope_options()
{
    local prog=$1 sub=$2
    "$prog" ${sub:+"$sub"} --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u
}

_lrscope()
{
    local cur prev prog=${COMP_WORDS[0]} sub="" i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    local subcommands="train range-test plot bench export check-grad resume export-weights watch replicate"
    local models="mlp-bn:512,512 mlp:512,512 mlp-bn mlp linear lenet cnn-bn resnet:20 resnet:56"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            train|range-test|plot|bench|export|check-grad|resume|export-weights|watch|replicate)
                sub=${COMP_WORDS[i]}; break ;;
            -*) ;;
            *) break ;;
        esac
    done
    COMPREPLY=()

    case $prev in
        --policy)
            COMPREPLY=($(compgen -W "const step multistep inv clr triangular2 exp_range 1cycle" -- "$cur")); return ;;
        --style) COMPREPLY=($(compgen -W "smith pytorch fastai" -- "$cur")); return ;;
        --anneal) COMPREPLY=($(compgen -W "cos linear" -- "$cur")); return ;;
        --sweep) COMPREPLY=($(compgen -W "linear exp" -- "$cur")); return ;;
        --preset) COMPREPLY=($(compgen -W "smith fastai lr-finder" -- "$cur")); return ;;
        --sgd) COMPREPLY=($(compgen -W "caffe torch" -- "$cur")); return ;;
        --init) COMPREPLY=($(compgen -W "he torch" -- "$cur")); return ;;
        --conv) COMPREPLY=($(compgen -W "auto im2col winograd" -- "$cur")); return ;;
        --model)
            COMPREPLY=($(compgen -W "$models" -- "$cur")); return ;;
        --panels)
            local last=${cur##*,} head=
            [[ $cur == *,* ]] && head=${cur%,*},
            COMPREPLY=($(compgen -P "$head" -W "loss acc lr range" -- "$last")); return ;;
        --data)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -W "fashion-mnist synthetic" -- "$cur") $(compgen -d -- "$cur")); return ;;
        --resume|--ghost) _lrscope_runs "$cur"; return ;;
        --x|--loss|--acc) return ;;   # a column of the log
        --report)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --config)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --out)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -d -- "$cur")); return ;;
        -o|--output|--screenshot)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -X '!*.png' -- "$cur") $(compgen -d -- "$cur")); return ;;
        --input-shape) COMPREPLY=($(compgen -W "1x28x28 3x32x32" -- "$cur")); return ;;
        --lr|--lr-min|--lr-max|--wd|--momentum|--epochs|--iters|--batch|--seed|--threads|\
        --seeds|--jobs|--train-size|--stepsize|--cycle-epochs|--cycle-frac|--pct-start|--div-factor|\
        --final-div-factor|--gamma|--power|--milestones|--bn-maf|--eval-every|--eval-max|\
        --stop-factor|--fps|--frames|--lr-estimate|--width|--height|--scale|--checkpoint-every)
            return ;;   # a number: nothing to offer
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_lrscope_options "$prog" "$sub")" -- "$cur"))
        return
    fi
    case $sub in
        "") COMPREPLY=($(compgen -W "$subcommands" -- "$cur")) ;;
        plot|export|resume|export-weights) _lrscope_runs "$cur" ;;
        watch)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -- "$cur")) ;;
        replicate) [[ $prev == replicate ]] && COMPREPLY=($(compgen -W "mini quick full cifar cifar-resnet56" -- "$cur")) ;;
        check-grad) [[ $prev == check-grad ]] && COMPREPLY=($(compgen -W "$models" -- "$cur")) ;;
    esac
}

complete -F _lrscope lrscope
